import json

from odoo import models

from odoo.addons.connector_base.lib import webhook
from odoo.addons.connector_base.lib.signature import SignatureScheme

from ..lib import events
from ..lib.client import CHALLENGE_HEADER, CHALLENGE_RESPONSE_HEADER, SIGNATURE_HEADER


class SmartsheetBackendWebhook(models.Model):
    """A backend's webhook intake: signatures per sheet webhook, callbacks turned into row
    changes, and the webhooks' health on the backend's overview."""

    _inherit = "smartsheet.backend"  # pylint: disable=consider-merging-classes-inherited

    _webhook_route = "/connector/smartsheet/webhook/{backend_id}"
    _webhook_signature = SignatureScheme(header=SIGNATURE_HEADER)
    _webhook_challenge = webhook.Challenge(
        request_header=CHALLENGE_HEADER,
        request_body_key="challenge",
        response_header=CHALLENGE_RESPONSE_HEADER,
        response_body_key="smartsheetHookResponse",
    )

    def _webhook_event_id(self, payload):
        return payload.get("nonce")

    def _webhook_verify_signature(self, raw_body, headers, url):
        """Each webhook has its own shared secret: the callback names its webhook in the body."""
        try:
            webhook_id = json.loads(raw_body).get("webhookId")
        except (ValueError, AttributeError):
            return False
        hook = self.env["smartsheet.webhook"].sudo()._find(self, webhook_id)
        secret = hook and hook._shared_secret()
        received = webhook.header_value(headers, SIGNATURE_HEADER)
        return self._webhook_signature.verify(secret, raw_body, received)

    def _webhook_job_values(self, payload, event_id):
        # A callback holding only this connector's own changes needs no job: nothing echoes.
        if (
            "newWebhookStatus" not in payload
            and events.row_changes(payload.get("events"), self.change_agent).empty
        ):
            return []
        return super()._webhook_job_values(payload, event_id)

    def _job_webhook_event(self, job):
        """Apply one callback: a webhook status change, or the rows it names (read in one call)."""
        payload = job.payload
        hook = self.env["smartsheet.webhook"]._find(self, payload.get("webhookId"))
        if not hook:
            return {
                "skipped": 1,
                "summary": self.env._("Unknown webhook %(id)s.", id=payload.get("webhookId")),
            }
        if payload.get("newWebhookStatus"):
            hook._apply_status(payload["newWebhookStatus"])
            return {"updated": 1, "summary": self.env._("Webhook is now %(status)s.", status=hook.status)}
        sheet = hook.sheet_id
        if not sheet.active or not sheet._imports():
            return {"skipped": 1, "summary": self.env._("The sheet is not imported.")}
        changes = events.row_changes(payload.get("events"), self.change_agent)
        result = sheet._apply_row_changes(changes)
        if changes.own_events:
            result["summary"] = self.env._(
                "%(summary)s; %(count)s event(s) of Odoo's own writes skipped",
                summary=result.get("summary") or "",
                count=changes.own_events,
            )
        return result

    def _connector_webhook_health(self):
        watched = self.sheet_ids.filtered("webhook_id") if self.use_webhooks else self.sheet_ids.browse()
        health = self._connector_webhook_health_of(watched, "webhook_id.enabled", self.env._("sheet(s)"))
        return health or super()._connector_webhook_health()

    def _connector_webhook_action(self):
        return self._connector_webhook_list_action(self.action_view_sheets())
