import { registry } from "@web/core/registry";
import { connectorTourSteps } from "@connector_base/../tests/tours/connector_tour_steps";

// From Settings to a linked sheet; the test runs the queued jobs, then the check tour.
registry.category("web_tour.tours").add("connector_smartsheet_link_tour", {
    url: "/odoo/settings",
    steps: () => [
        ...connectorTourSteps.openLinkWizardFromSettings(
            "Smartsheet demo",
            "Connected to Smartsheet as",
            "action_discover_sheets"
        ),
        ...connectorTourSteps.tickListRow("Website Launch", "selected"),
        {
            content: "Say which project the sheet feeds",
            trigger: ".modal .o_data_row:contains(Website Launch) .o_field_widget[name=project_id] input",
            run: "edit Website Launch",
        },
        {
            content: "Pick the project Website Launch",
            trigger: ".o-autocomplete--dropdown-item:contains(Website Launch)",
            run: "click",
        },
        {
            content: "Link it",
            trigger: ".modal button[name=action_link]",
            run: "click",
        },
        {
            content: "The linked sheet is listed",
            trigger: "body:not(:has(.modal)) .o_list_view .o_data_row:contains(Website Launch)",
        },
        ...connectorTourSteps.syncNowFromBackend(
            "Smartsheet demo",
            ".o_notification:contains(Synchronization queued)"
        ),
    ],
});

registry.category("web_tour.tours").add("connector_smartsheet_check_tour", {
    url: "/odoo/action-connector_base.action_connector_overview",
    steps: () => [
        ...connectorTourSteps.checkOverviewAndJobs("Smartsheet demo", "Sync sheet Website Launch"),
        ...connectorTourSteps.openSyncHistory("Website Launch", "Design", "Smartsheet"),
    ],
});
