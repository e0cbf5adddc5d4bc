import contextlib

from odoo import api, fields, models

from odoo.addons.connector_base.lib.errors import ConnectorError, NotFoundError

WEBHOOK_STATUSES = [
    ("NEW_NOT_VERIFIED", "Not verified"),
    ("ENABLED", "Enabled"),
    ("DISABLED_BY_OWNER", "Disabled by its owner"),
    ("DISABLED_VERIFICATION_FAILED", "Verification failed"),
    ("DISABLED_CALLBACK_FAILED", "Callbacks failed"),
    ("DISABLED_SCOPE_INACCESSIBLE", "Sheet no longer accessible"),
    ("DISABLED_APP_REVOKED", "App access revoked"),
    ("DISABLED_ADMINISTRATIVE", "Disabled by Smartsheet"),
]
SECRET_FIELD = "shared_secret"


class SmartsheetWebhook(models.Model):
    """The Smartsheet webhook of one linked sheet: its id, state, and shared secret (encrypted)."""

    _name = "smartsheet.webhook"
    _description = "Smartsheet Webhook"

    sheet_id = fields.Many2one("smartsheet.sheet", required=True, ondelete="cascade", index=True)
    backend_id = fields.Many2one(related="sheet_id.backend_id", store=True, index=True)
    company_id = fields.Many2one(related="sheet_id.company_id", store=True)
    webhook_id = fields.Char(string="Webhook ID", required=True, index=True)
    callback_url = fields.Char(readonly=True)
    status = fields.Selection(WEBHOOK_STATUSES, default="NEW_NOT_VERIFIED", readonly=True)
    enabled = fields.Boolean(compute="_compute_enabled", store=True)
    status_changed_at = fields.Datetime(readonly=True)

    _sql_constraints = [
        ("webhook_unique", "UNIQUE (backend_id, webhook_id)", "A Smartsheet webhook is recorded once."),
    ]

    @api.depends("status")
    def _compute_enabled(self):
        for hook in self:
            hook.enabled = hook.status == "ENABLED"

    @api.depends("webhook_id", "status")
    def _compute_display_name(self):
        labels = dict(WEBHOOK_STATUSES)
        for hook in self:
            hook.display_name = f"{hook.webhook_id} ({labels.get(hook.status, hook.status)})"

    # ------------------------------------------------------------------ secret
    def _shared_secret(self):
        self.ensure_one()
        return self.env["connector.credential"]._read(self, SECRET_FIELD)

    def _store_secret(self, secret):
        self.env["connector.credential"]._store(self, SECRET_FIELD, secret)

    @api.ondelete(at_uninstall=False)
    def _unlink_secret(self):
        self.env["connector.credential"]._unlink_for(self)

    @api.model
    def _find(self, backend, webhook_id):
        if not webhook_id:
            return self.browse()
        return self.search([("backend_id", "=", backend.id), ("webhook_id", "=", str(webhook_id))], limit=1)

    # ------------------------------------------------------------------ lifecycle
    @api.model
    def _subscribe(self, sheet, client):
        """Create (or reuse an identical existing) webhook for ``sheet`` and enable it.

        Smartsheet verifies the callback URL while enabling: Odoo's route answers
        the challenge during this call.
        """
        callback_url = sheet.backend_id.webhook_url
        existing = next(
            (
                hook
                for hook in client.iter_webhooks()
                if str(hook.get("scopeObjectId")) == sheet.sheet_id
                and hook.get("callbackUrl") == callback_url
                and not hook.get("subscope")
            ),
            None,
        )
        payload = existing or client.create_webhook(
            f"Odoo {sheet.backend_id.display_name}: {sheet.name}", callback_url, sheet.sheet_id
        )
        hook = self._find(sheet.backend_id, payload["id"]) or sheet.webhook_id
        values = {
            "webhook_id": str(payload["id"]),
            "callback_url": callback_url,
            "status": payload.get("status"),
        }
        if hook:
            hook.write(values)
        else:
            hook = self.create({**values, "sheet_id": sheet.id})
        sheet.webhook_id = hook
        # The shared secret comes with the webhook; listing shows it to its owner too.
        secret = payload.get("sharedSecret") or client.get_webhook(payload["id"]).get("sharedSecret")
        hook._store_secret(secret)
        if not payload.get("enabled"):
            hook._enable(client)
        return hook

    def _enable(self, client):
        self.ensure_one()
        # Commit-free: the challenge is answered from the backend and the webhook id alone.
        answer = client.enable_webhook(self.webhook_id)
        self._apply_status(answer.get("status") or ("ENABLED" if answer.get("enabled") else self.status))
        return self.enabled

    def _delete(self, client):
        for hook in self:
            # Already gone in Smartsheet: nothing left to delete there.
            with contextlib.suppress(NotFoundError):
                client.delete_webhook(hook.webhook_id)
        self.unlink()

    def _apply_status(self, status):
        """Record a status; a webhook that stops working tells the connector managers."""
        for hook in self:
            if hook.status == status:
                continue
            hook.write({"status": status, "status_changed_at": fields.Datetime.now()})
            if status != "ENABLED":
                hook.backend_id._connector_notify_managers(
                    self.env._(
                        "The Smartsheet webhook of %(sheet)s is now %(status)s: changes reach Odoo only by "
                        "polling until it is enabled again (button on the sheet, or the health check).",
                        sheet=hook.sheet_id.display_name,
                        status=dict(WEBHOOK_STATUSES).get(status, status),
                    )
                )

    def _health_checks(self, client):
        """A check per webhook; a disabled one is enabled again on the way."""
        checks = []
        for hook in self:
            label = self.env._("Webhook of %(sheet)s", sheet=hook.sheet_id.name)
            try:
                remote = client.get_webhook(hook.webhook_id)
            except NotFoundError:
                checks.append((label, False, self.env._("Deleted in Smartsheet: relink the sheet.")))
                continue
            hook._apply_status(remote.get("status"))
            if not hook.enabled:
                try:
                    hook._enable(client)
                except ConnectorError as error:
                    checks.append((label, False, str(error)))
                    continue
            checks.append(
                (
                    label,
                    hook.enabled,
                    self.env._("Enabled.")
                    if hook.enabled
                    else dict(WEBHOOK_STATUSES).get(hook.status, hook.status),
                )
            )
        return checks
