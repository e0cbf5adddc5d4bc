/** @odoo-module */

import { registry } from "@web/core/registry";

// From a Smartsheet backend's form: link a sheet through the import preview, then import.
registry.category("web_tour.tours").add("connector_smartsheet_import_preview", {
    steps: () => [
        {
            content: "Discover the token's sheets",
            trigger: ".o_form_view button[name='action_discover_sheets']",
            run: "click",
        },
        {
            content: "Choose the Website Launch sheet (a click on the cell ticks it)",
            trigger: ".modal .o_data_row:contains('Website Launch') td[name='selected']",
            run: "click",
        },
        {
            content: "Say which project it feeds",
            trigger: ".modal .o_data_row:contains('Website Launch') td[name='project_id'] input",
            run: "edit Website",
        },
        {
            trigger: ".o-autocomplete--dropdown-menu .dropdown-item:contains('Website Launch')",
            run: "click",
        },
        {
            content: "Link it and preview its import",
            trigger: ".modal .o_data_row:contains('Website Launch') td[name='selected'] input:checked",
            run: "click .modal button[name='action_link_and_preview']",
        },
        {
            content: "The row whose assignee is no Odoo user would lose that value, and says why",
            trigger: ".modal div[name='problem_ids'] .o_data_row:contains('nobody@example.com'):contains('Would lose a value')",
        },
        {
            content: "Look at the first rows",
            trigger: ".modal .nav-link:contains('First rows')",
            run: "click",
        },
        {
            content: "Rows appear as the tasks they would become",
            trigger: ".modal div[name='row_ids'] .o_data_row:contains('Design A'):contains('Assignees: Ana Silva')",
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
