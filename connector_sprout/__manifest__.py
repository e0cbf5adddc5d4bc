{
    "name": "Sprout Social Connector",
    "summary": "Keep Odoo in sync with Sprout Social",
    "version": "18.0.0.1.0",
    "category": "Connectors",
    "author": "Odoo Connector Suite",
    "website": "https://github.com/odoo-connector-suite/odoo-connector-suite",
    "maintainers": ["odoo-connector-suite"],
    "license": "LGPL-3",
    "depends": ["connector_base"],
}
