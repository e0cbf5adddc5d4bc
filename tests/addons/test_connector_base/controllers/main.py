from odoo import http

from odoo.addons.connector_base.controllers.oauth import oauth_callback_answer
from odoo.addons.connector_base.controllers.webhook import WebhookIntake, webhook_route

# A platform's own OAuth callback route (the OAuth backend's tests set it as its _oauth_callback_path).
OWN_CALLBACK_PATH = "/connector/test/oauth/callback"


class TestConnectorController(http.Controller):
    # A small cap, so the tests can exceed it cheaply.
    @webhook_route("/connector/test/webhook/<int:backend_id>", max_content_length=16 * 1024)
    def test_webhook(self, backend_id, **params):
        return WebhookIntake("test.connector.oauth.backend", backend_id).handle()

    @http.route(OWN_CALLBACK_PATH, type="http", auth="user", methods=["GET"])
    def test_oauth_callback(self, state=None, code=None, error=None, **params):
        return oauth_callback_answer(state, code, error)

    # The benchmark's baseline: what Odoo costs for a public route doing nothing.
    @http.route("/connector/test/ping", type="http", auth="public", csrf=False, save_session=False)
    def ping(self, **params):
        return "ok"
