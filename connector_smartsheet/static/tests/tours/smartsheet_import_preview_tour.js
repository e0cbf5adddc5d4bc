import { registry } from "@web/core/registry";
import { connectorTourSteps } from "@connector_base/../tests/tours/connector_tour_steps";

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
        ...connectorTourSteps.linkAndPreview("Website Launch"),
        // The row whose assignee is no Odoo user would lose that value, and says why.
        ...connectorTourSteps.importFromPreview(
            ["nobody@example.com", "Would lose a value"],
            ["Design A", "Assignees: Ana Silva"]
        ),
    ],
});
