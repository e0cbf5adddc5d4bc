{
    "name": "Connector Base",
    "summary": "Shared engine of the connector suite: sync-job queue, external-ID bindings, "
    "encrypted credentials",
    "version": "18.0.1.0.0",
    "category": "Connectors",
    "author": "Odoo Connector Suite",
    "website": "https://example.com/odoo-connector-suite",
    "license": "LGPL-3",
    "depends": ["base_setup", "mail"],
    "external_dependencies": {"python": ["cryptography", "requests"]},
    "data": [
        "security/connector_security.xml",
        "security/ir.model.access.csv",
        "data/ir_config_parameter.xml",
        "data/ir_cron.xml",
        "views/connector_sync_job_views.xml",
        "views/connector_external_binding_views.xml",
        "views/connector_backend_pause_views.xml",
        "views/res_config_settings_views.xml",
        "views/menus.xml",
    ],
    "application": True,
}
