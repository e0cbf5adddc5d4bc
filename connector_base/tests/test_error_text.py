from odoo.tests import TransactionCase

from ..lib.errors import AuthenticationError, NetworkError, NotFoundError
from ..models.connector_error_text import connector_error_text


class TestErrorText(TransactionCase):
    """Errors say what happened and what to do, in words."""

    def test_an_unreachable_platform_reads_cannot_reach_with_the_address(self):
        error = NetworkError(
            "x", platform="Smartsheet", url="http://127.0.0.1:8392", network_reason="connection refused"
        )
        self.assertEqual(
            connector_error_text(self.env, error),
            "Cannot reach Smartsheet at http://127.0.0.1:8392 (connection refused): "
            "check the API URL and the network.",
        )

    def test_refused_only_when_the_platform_answered_with_status_and_message(self):
        error = NotFoundError(
            "x", platform="Trello", status=404, platform_message="model not found", request="GET /1/boards/b"
        )
        text = connector_error_text(self.env, error)
        self.assertIn("(HTTP 404: model not found)", text)
        self.assertIn("deleted", text)
        auth = AuthenticationError("x", platform="Trello", status=401, platform_message="invalid token")
        self.assertIn(
            "refused the credentials (HTTP 401: invalid token): check them",
            connector_error_text(self.env, auth),
        )
