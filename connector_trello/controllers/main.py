import secrets

from werkzeug.exceptions import Forbidden, NotFound

from odoo import http
from odoo.http import request

from odoo.addons.connector_base.controllers.webhook import WebhookIntake, webhook_route
from odoo.addons.connector_base.lib import webhook
from odoo.addons.connector_base.lib.errors import ConnectorError

from ..lib.client import authorize_url

MANAGER_GROUP = "connector_base.group_connector_manager"
SESSION_KEY = "connector_trello.authorize_nonce"
# Trello asks for 401 on a forged delivery; the shared intake answers 403 by default.
UNAUTHORIZED = webhook.Answer(401, "invalid signature")


class TrelloWebhookIntake(WebhookIntake):
    def _answer(self):
        answer = super()._answer()
        return UNAUTHORIZED if answer == webhook.BAD_SIGNATURE else answer


class TrelloController(http.Controller):
    @webhook_route("/connector/trello/webhook/<int:backend_id>")
    def trello_webhook(self, backend_id, **params):
        """Trello's HEAD check and its signed action callbacks."""
        return TrelloWebhookIntake("trello.backend", backend_id).handle()

    @http.route("/connector/trello/authorize/<int:backend_id>", type="http", auth="user", methods=["GET"])
    def trello_authorize(self, backend_id, **params):
        """Send the person to Trello; the nonce ties the token coming back to this session."""
        backend = self._backend(backend_id)
        nonce = secrets.token_urlsafe(24)
        request.session[SESSION_KEY] = nonce
        return_url = (
            f"{backend._connector_public_base_url()}/connector/trello/authorized/{backend.id}?nonce={nonce}"
        )
        app_name = request.env["ir.config_parameter"].sudo().get_param("connector_trello.app_name") or "Odoo"
        url = authorize_url(
            backend._connector_secret("api_key"), app_name, return_url, api_url=backend.api_url
        )
        return request.redirect(url, local=False)

    @http.route("/connector/trello/authorized/<int:backend_id>", type="http", auth="user", methods=["GET"])
    def trello_authorized(self, backend_id, nonce=None, **params):
        """Trello puts the token in the URL fragment, which only the browser sees: this page
        reads it and posts it back with the nonce."""
        backend = self._backend(backend_id)
        return request.render(
            "connector_trello.authorized_page", {"backend": backend, "nonce": nonce or "", "error": None}
        )

    @http.route("/connector/trello/authorized/<int:backend_id>", type="http", auth="user", methods=["POST"])
    def trello_store_token(self, backend_id, token=None, nonce=None, **params):
        backend = self._backend(backend_id)
        expected = request.session.pop(SESSION_KEY, None)
        if not expected or not nonce or not secrets.compare_digest(expected, nonce) or not token:
            raise Forbidden(request.env._("This authorization was not asked for from this session."))
        try:
            backend._trello_store_token(token.strip())
        except ConnectorError as error:
            values = {"backend": backend, "nonce": "", "error": str(error)}
            return request.render("connector_trello.authorized_page", values, status=400)
        return request.redirect(f"/odoo/action-connector_trello.action_trello_backend/{backend.id}")

    @staticmethod
    def _backend(backend_id):
        if not request.env.user.has_group(MANAGER_GROUP):
            raise Forbidden()
        backend = request.env["trello.backend"].browse(backend_id).exists()
        if not backend:
            raise NotFound()
        return backend
