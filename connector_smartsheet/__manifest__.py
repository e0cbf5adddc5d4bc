{
    "name": "Smartsheet Connector",
    "summary": "Keep Odoo in sync with Smartsheet",
    "version": "18.0.0.1.0",
    "category": "Connectors",
    "author": "Odoo Connector Suite",
    "website": "https://example.com/odoo-connector-suite",
    "license": "LGPL-3",
    "depends": ["connector_base"],
}
