{
    "name": "Smartsheet Connector",
    "summary": "Two-way sync of Smartsheet sheets with projects, tasks, manufacturing orders and inventory",
    "version": "18.0.1.0.0",
    "category": "Connectors",
    "author": "Odoo Connector Suite",
    "website": "https://github.com/odoo-connector-suite/odoo-connector-suite",
    "maintainers": ["odoo-connector-suite"],
    "license": "LGPL-3",
    # project: task sheets; mrp: manufacturing sheets (it brings stock, used by inventory sheets).
    "depends": ["connector_base", "project", "mrp"],
    "data": [
        "security/ir.model.access.csv",
        "security/smartsheet_security.xml",
        "data/ir_cron.xml",
        "views/smartsheet_backend_views.xml",
        "views/smartsheet_sheet_views.xml",
        "views/smartsheet_sheet_preview_views.xml",
        "views/smartsheet_inventory_count_views.xml",
        "views/connector_field_mapping_views.xml",
        "wizards/smartsheet_discover_wizard_views.xml",
        "views/menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "connector_smartsheet/static/tests/tours/**/*",
        ],
    },
}
