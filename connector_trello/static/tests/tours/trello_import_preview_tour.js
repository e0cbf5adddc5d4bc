/** @odoo-module */

import { registry } from "@web/core/registry";

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
        {
            content: "Link it and preview its import",
            trigger: ".modal .o_data_row:contains('IT') td[name='selected'] input:checked",
            run: "click .modal button[name='action_link_and_preview']",
        },
        {
            content: "The preview names the board and counts the tasks to create",
            trigger: ".modal .o_form_view div[name='source_names']:contains('IT')",
        },
        {
            content: "A card's member who is no Odoo user is shown as a lost value",
            trigger: ".modal div[name='problem_ids'] .o_data_row:contains('Carla Dias')",
        },
        {
            content: "Look at the first rows",
            trigger: ".modal .nav-link:contains('First rows')",
            run: "click",
        },
        {
            content: "Cards appear as the tasks they would become",
            trigger: ".modal div[name='row_ids'] .o_data_row:contains('Install printer'):contains('Stage: Doing')",
        },
        {
            content: "Import",
            trigger: ".modal button[name='action_import']",
            run: "click",
        },
        {
            content: "The import is queued and the preview closed",
            trigger: ".o_notification:contains('queued')",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
    ],
});
