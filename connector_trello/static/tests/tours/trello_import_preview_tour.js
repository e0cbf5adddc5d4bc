import { registry } from "@web/core/registry";
import { connectorTourSteps } from "@connector_base/../tests/tours/connector_tour_steps";

// From a Trello backend's form: link a board through the import preview, then import.
registry.category("web_tour.tours").add("connector_trello_import_preview", {
    steps: () => [
        {
            content: "Open the link wizard",
            trigger: ".o_form_view button[name='action_link_board']",
            run: "click",
        },
        {
            content: "Choose the IT board (a click on the cell ticks it)",
            trigger: ".modal .o_data_row:contains('IT') td[name='selected']",
            run: "click",
        },
        ...connectorTourSteps.linkAndPreview("IT"),
        {
            content: "The preview names the board and counts the tasks to create",
            trigger: ".modal .o_form_view div[name='source_names']:contains('IT')",
        },
        // A card's member who is no Odoo user is shown as a lost value.
        ...connectorTourSteps.importFromPreview(["Carla Dias"], ["Install printer", "Stage: Doing"]),
    ],
});
