{
    "name": "Podio Connector",
    "summary": "Podio apps and items in sync with Odoo contacts and sales orders, hooks verified",
    "version": "18.0.0.2.0",
    "category": "Connectors",
    "author": "Odoo Connector Suite",
    "website": "https://github.com/odoo-connector-suite/odoo-connector-suite",
    "maintainers": ["odoo-connector-suite"],
    "license": "LGPL-3",
    "depends": ["connector_base", "sale"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/ir.model.access.csv",
        "security/podio_security.xml",
        "data/ir_cron.xml",
        "views/podio_backend_views.xml",
        "views/podio_app_views.xml",
        "views/connector_field_mapping_views.xml",
        "wizards/podio_app_link_views.xml",
        "views/menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "connector_podio/static/tests/tours/**/*",
        ],
    },
}
