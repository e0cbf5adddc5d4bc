import { registry } from "@web/core/registry";
import { connectorTourSteps } from "@connector_base/../tests/tours/connector_tour_steps";

// From Settings to a linked app; the test runs the queued jobs, then the check tour.
registry.category("web_tour.tours").add("connector_podio_link_tour", {
    url: "/odoo/settings",
    steps: () => [
        ...connectorTourSteps.openLinkWizardFromSettings("Podio", "Connected to Podio", "action_discover_apps"),
        ...connectorTourSteps.tickListRow("Leads & Clients", "selected"),
        {
            content: "Link it",
            trigger: ".modal button[name=action_link]",
            run: "click",
        },
        {
            content: "The app is linked: its form opens, with what it feeds",
            trigger: "body:not(:has(.modal)) .o_breadcrumb:contains(Leads & Clients)",
        },
        {
            content: "It feeds the contacts",
            trigger: ".o_form_view .o_field_widget[name=odoo_model]:contains(Contacts)",
        },
        ...connectorTourSteps.syncNowFromBackend("Podio", ".o_form_view button[name=action_view_jobs]"),
    ],
});

registry.category("web_tour.tours").add("connector_podio_check_tour", {
    url: "/odoo/action-connector_base.action_connector_overview",
    steps: () => [
        ...connectorTourSteps.checkOverviewAndJobs("Podio", "Import app Leads & Clients"),
        {
            content: "The hooks' creation is named after their app",
            trigger: ".o_list_view .o_data_row:contains(Create the hooks of app Leads & Clients)",
        },
        {
            content: "Open the Contacts",
            trigger: ".o_list_view",
            expectUnloadPage: true,
            run() {
                window.location.href = "/odoo/action-base.action_partner_form?view_type=list";
            },
        },
        {
            content: "An imported contact is listed with its company and email: open it",
            trigger:
                ".o_list_view .o_data_row:contains(Acme & Sons, Ana Silva):contains(ana.silva@acme.example) .o_data_cell:first",
            run: "click",
        },
        ...connectorTourSteps.openRecordSyncHistory("Podio"),
    ],
});
