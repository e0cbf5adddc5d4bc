from odoo import http

from odoo.addons.connector_base.controllers.webhook import WebhookIntake, webhook_route


class TestConnectorController(http.Controller):
    # A small cap, so the tests can exceed it cheaply.
    @webhook_route("/connector/test/webhook/<int:backend_id>", max_content_length=16 * 1024)
    def test_webhook(self, backend_id, **params):
        return WebhookIntake("test.connector.oauth.backend", backend_id).handle()

    # The benchmark's baseline: what Odoo costs for a public route doing nothing.
    @http.route("/connector/test/ping", type="http", auth="public", csrf=False, save_session=False)
    def ping(self, **params):
        return "ok"
