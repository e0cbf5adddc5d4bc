from odoo import http

from odoo.addons.connector_base.controllers.oauth import oauth_callback_answer

from ..models.sprout_backend import CALLBACK_PATH


class SproutController(http.Controller):
    @http.route(CALLBACK_PATH, type="http", auth="user", methods=["GET"])
    def sprout_oauth_callback(self, state=None, code=None, error=None, **params):
        """Where Sprout's identity server sends the person back after Connect (the redirect
        URI registered on the user-based OAuth client); the base checks the state and
        exchanges the code."""
        return oauth_callback_answer(state, code, error)
