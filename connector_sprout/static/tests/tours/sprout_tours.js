import { registry } from "@web/core/registry";
import { connectorTourSteps } from "@connector_base/../tests/tours/connector_tour_steps";

// From Settings to the Sprout backend, its inbox, a message that made a lead, the lead
// and back to the lead's social messages; the test polls the inbox before the tour.
registry.category("web_tour.tours").add("connector_sprout_leads_tour", {
    url: "/odoo/settings",
    steps: () => [
        ...connectorTourSteps.openBackendFromSettings("ACME on Sprout"),
        {
            content: "Open the backend's messages",
            trigger: ".o_form_view button[name=action_view_messages]",
            run: "click",
        },
        {
            content: "Open Joana's question, the one that made a lead",
            trigger: ".o_list_view .o_data_row:contains(Lisbon store) td[name=text]",
            run: "click",
        },
        {
            content: "The message names its lead: open it",
            trigger: ".o_form_view .o_field_widget[name=lead_id] a:contains(Joana)",
            run: "click",
        },
        {
            content: "The lead is named after its author and profile",
            trigger: ".o_breadcrumb:contains(Joana on ACME Portugal)",
        },
        {
            content: "Open the lead's social messages",
            trigger: ".o_form_view button[name=action_view_sprout_messages]:contains(Social messages)",
            run: "click",
        },
        {
            content: "The lead's message is listed",
            trigger: ".o_list_view .o_data_row:contains(Lisbon store)",
        },
    ],
});
