import { registry } from "@web/core/registry";
import { connectorTourSteps } from "@connector_base/../tests/tours/connector_tour_steps";

// From Settings to a linked board; the test runs the queued jobs, then the check tour.
registry.category("web_tour.tours").add("connector_trello_link_tour", {
    url: "/odoo/settings",
    steps: () => [
        ...connectorTourSteps.openLinkWizardFromSettings("Trello", "Connected to Trello as", "action_link_board"),
        ...connectorTourSteps.tickListRow("IT", "selected"),
        {
            content: "Link it",
            trigger: ".modal button[name=action_link]",
            run: "click",
        },
        {
            content: "The board is linked: its form opens",
            trigger: "body:not(:has(.modal)) .o_breadcrumb:contains(IT)",
        },
        ...connectorTourSteps.syncNowFromBackend("Trello", ".o_form_view button[name=action_view_jobs]"),
    ],
});

registry.category("web_tour.tours").add("connector_trello_check_tour", {
    url: "/odoo/action-connector_base.action_connector_overview",
    steps: () => [
        ...connectorTourSteps.checkOverviewAndJobs("Trello", "Import board IT"),
        {
            content: "The webhook registration is named after its board",
            trigger: ".o_list_view .o_data_row:contains(Register the webhook of board IT)",
        },
        ...connectorTourSteps.openSyncHistory("IT", "Install printer", "Trello"),
    ],
});
