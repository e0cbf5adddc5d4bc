import time

from odoo import fields, models

from odoo.addons.connector_base.fields import Secret
from odoo.addons.connector_base.lib import webhook
from odoo.addons.connector_base.lib.signature import SignatureScheme

# Trello's recipe: base64 HMAC-SHA1 of the body followed by the callback URL.
WEBHOOK_SIGNATURE = SignatureScheme(
    header="X-Test-Webhook", algorithm="sha1", encoding="base64", include_url=True
)
# Smartsheet's handshake: a challenge in a header or the body, echoed in both.
WEBHOOK_CHALLENGE = webhook.Challenge(
    request_header="X-Test-Hook-Challenge",
    request_body_key="challenge",
    response_header="X-Test-Hook-Response",
    response_body_key="testHookResponse",
)

# First key of the advisory lock a slow intake holds (second: the backend id).
SLOW_INTAKE_LOCK = 0x736C6F77


class TestConnectorOAuthBackend(models.Model):
    """A backend with every shared intake and OAuth feature, as a platform addon plugs them in."""

    _name = "test.connector.oauth.backend"
    _inherit = ["connector.oauth.mixin"]
    _description = "Test Connector OAuth Backend"
    _webhook_route = "/connector/test/webhook/{backend_id}"
    _webhook_signature = WEBHOOK_SIGNATURE
    _webhook_secret_field = "webhook_secret"
    _webhook_challenge = WEBHOOK_CHALLENGE
    _oauth_authorize_endpoint = "https://platform.invalid/oauth/authorize"
    _oauth_token_endpoint = "https://platform.invalid/oauth/token"

    webhook_secret = Secret()
    oauth_username = fields.Char(string="Username")
    oauth_password = Secret(string="Password")

    def _webhook_handshake(self, payload, headers):
        # Podio's verification: a code the connector must send back to the platform.
        if payload.get("type") == "hook.verify":
            self._connector_enqueue(
                "_job_validate_hook",
                {"hook_id": payload.get("hook_id"), "code": payload.get("code")},
                kind="webhook",
            )
            return webhook.Answer(200, "verification received")
        return super()._webhook_handshake(payload, headers)

    def _webhook_event_id(self, payload):
        return payload.get("id")

    def _webhook_accept(self, payload, event_id):
        # An intake as slow as the payload asks: a test keeps a delivery in flight with it,
        # seen in pg_locks meanwhile.
        if payload.get("intake_seconds"):
            self.env.cr.execute("SELECT pg_advisory_xact_lock(%s, %s)", [SLOW_INTAKE_LOCK, self.id])
            time.sleep(payload["intake_seconds"])
        return super()._webhook_accept(payload, event_id)

    def _job_webhook_event(self, job):
        return {"skipped": 1}

    def _job_validate_hook(self, job):
        return {"summary": f"hook {job.payload['hook_id']} validated"}
