{
    "name": "Connector Base test backend",
    "summary": "A backend and handlers used only by connector_base's tests",
    "version": "18.0.1.0.0",
    "category": "Hidden/Tests",
    "author": "Odoo Connector Suite",
    "website": "https://example.com/odoo-connector-suite",
    "license": "LGPL-3",
    "depends": ["connector_base"],
    "data": [
        "security/ir.model.access.csv",
        "views/test_connector_oauth_backend_views.xml",
        "views/test_connector_backend_views.xml",
    ],
}
