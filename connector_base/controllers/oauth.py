from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from ..models.connector_oauth_mixin import CALLBACK_PATH


def oauth_callback_answer(state, code, error):
    """The answer to the platform sending the user back after Connect: the connected
    backend's form, or a page saying why not. A platform with a callback route of its own
    (``_oauth_callback_path``) answers with it; see ``connector.oauth.mixin``."""
    try:
        backend = request.env["connector.oauth.mixin"]._oauth_complete_authorization(state, code, error)
    except UserError as refused:
        return request.render(
            "connector_base.oauth_callback_refused", {"message": refused.args[0]}, status=400
        )
    return request.redirect(f"/odoo/{backend._name}/{backend.id}")


class ConnectorOAuthController(http.Controller):
    @http.route(CALLBACK_PATH, type="http", auth="user", methods=["GET"])
    def oauth_callback(self, state=None, code=None, error=None, **params):
        """Where the platform sends the user back after Connect; see ``connector.oauth.mixin``."""
        return oauth_callback_answer(state, code, error)
