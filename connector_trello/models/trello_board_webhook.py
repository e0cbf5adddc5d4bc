from odoo import api, models

from odoo.addons.connector_base.lib.errors import ConnectorError, NotFoundError


class TrelloBoardWebhook(models.Model):
    """How Trello tells Odoo about a board: its webhook (registered, checked, repaired,
    removed) and the daily re-import that catches what a webhook and the polls (the
    backend's, through the base's poll jobs) missed."""

    _inherit = "trello.board"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ registration
    def _enqueue_webhook_registration(self):
        for link in self.filtered("active"):
            name = self.env._("Register the webhook of board %(board)s", board=link.name)
            link._enqueue_webhook_job(
                "_job_register_webhook", {"board_link_id": link.id}, name, f"webhook:{link.id}"
            )

    def _enqueue_webhook_removal(self):
        for link in self.filtered("webhook_id"):
            name = self.env._("Remove the webhook of board %(board)s", board=link.name)
            payload = {"webhook_id": link.webhook_id}
            link._enqueue_webhook_job(
                "_job_unregister_webhook", payload, name, f"unwebhook:{link.webhook_id}"
            )

    def _enqueue_webhook_job(self, method_name, payload, name, identity_key):
        # Webhook set-up goes before imports: changes made meanwhile are then delivered.
        self._connector_container_enqueue(
            method_name,
            payload,
            kind="webhook_setup",
            name=name,
            object_type="webhook",
            identity_key=identity_key,
            priority=5,
        )

    # ------------------------------------------------------------------ webhooks
    def _register_webhook(self, client):
        """Make sure Trello calls us for this board (reusing the token's webhook for it); True if created."""
        self.ensure_one()
        webhook, created = client.ensure_webhook(
            self.board_id, self.backend_id.webhook_url, f"Odoo {self.env.cr.dbname}: {self.name}"[:16384]
        )
        if not webhook.get("active", True):
            webhook = client.activate_webhook(webhook["id"])
        self.write(
            {
                "webhook_id": webhook["id"],
                "webhook_active": bool(webhook.get("active", True)),
                "webhook_callback_url": webhook.get("callbackURL") or self.backend_id.webhook_url,
            }
        )
        return created

    def _check_webhooks(self, client):
        """The webhook health check of these boards: a missing webhook is registered again and
        an inactive one re-activated. Returns one (label, ok, detail) triple."""
        details, healthy = [], True
        for link in self:
            try:
                detail = link._repair_webhook(client)
            except ConnectorError as error:
                healthy = False
                detail = self.env._("%(board)s: %(error)s", board=link.name, error=str(error))
            details.append(detail)
        label = self.env._("Webhooks")
        return label, healthy, "; ".join(details) or self.env._("No linked board.")

    def _repair_webhook(self, client):
        """Compare the board's webhook in Trello with what it should be: registered at the
        backend's webhook URL and active. A webhook at another address is replaced (the new one
        first, so Trello checks it), an inactive one re-activated."""
        if not self.webhook_id:
            self._register_webhook(client)
            return self.env._("%s: registered", self.name)
        try:
            webhook = client.webhook(self.webhook_id)
        except NotFoundError:
            self._register_webhook(client)
            return self.env._("%s: was missing, registered again", self.name)
        wanted_url = self.backend_id.webhook_url
        if webhook.get("callbackURL") != wanted_url:
            old_id, old_url = webhook["id"], webhook.get("callbackURL")
            self._register_webhook(client)
            if self.webhook_id != old_id:
                client.delete_webhook(old_id)
            return self.env._(
                "%(board)s: was registered at %(old)s, registered again at %(new)s",
                board=self.name,
                old=old_url,
                new=wanted_url,
            )
        if self.webhook_callback_url != webhook.get("callbackURL"):
            self.webhook_callback_url = webhook.get("callbackURL")
        if not webhook.get("active"):
            client.activate_webhook(self.webhook_id)
            self.webhook_active = True
            return self.env._("%s: was inactive, re-activated", self.name)
        return self.env._("%s: active", self.name)

    # ------------------------------------------------------------------ re-import
    @api.model
    def _cron_reimport(self):
        """Re-read every linked board: Trello leaves some changes (label edits, deleted comments,
        check item renames) out of its action listings, so only a full read catches them when
        their webhook was missed. Unchanged cards cost no write."""
        self.search([("last_import_at", "!=", False), ("backend_id.active", "=", True)])._enqueue_import()
