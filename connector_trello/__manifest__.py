{
    "name": "Trello Connector",
    "summary": "Trello boards, lists, cards, comments and attachments in sync with projects and tasks",
    "version": "18.0.1.0.0",
    "category": "Connectors",
    "author": "Odoo Connector Suite",
    "website": "https://example.com/odoo-connector-suite",
    "license": "LGPL-3",
    "depends": ["connector_base", "project"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/ir.model.access.csv",
        "security/trello_security.xml",
        "data/ir_cron.xml",
        "views/trello_backend_views.xml",
        "views/trello_board_views.xml",
        "views/trello_member_views.xml",
        "views/project_task_views.xml",
        "views/trello_templates.xml",
        "wizards/trello_board_link_views.xml",
        "views/menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "connector_trello/static/tests/tours/**/*",
        ],
    },
}
