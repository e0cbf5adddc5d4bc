from odoo import models

from odoo.addons.connector_base.lib.errors import NotFoundError
from odoo.addons.connector_base.lib.sync import FROM_CONNECTOR

from ..lib.contacts import ITEM


class PodioBackendJobs(models.Model):
    """The jobs of a Podio backend: imports, item events (from hooks and polls), hooks."""

    _inherit = "podio.backend"  # pylint: disable=consider-merging-classes-inherited

    def _podio_app_of(self, app_id):
        return self.app_ids.filtered(lambda app: app.app_id == str(app_id) and app.active)

    def _job_import_app(self, job):
        app = self.env["podio.app"].browse(job.payload["app_link_id"]).exists()
        if not app or not app.active:
            return {"skipped": 1, "summary": self.env._("The app is no longer linked.")}
        return app._import()

    def _job_item_event(self, job):
        """Apply an item event by reading the item again, whatever the event says (the hook's
        body is never trusted): an item Podio has is imported, one it no longer has (404 or
        410) archives (or deletes) its record. Events that arrive twice or out of order end in the
        item's state."""
        item_id = str(job.payload["item_id"])
        with self._podio_session() as client:
            try:
                item = client.item(item_id)
            except NotFoundError:  # 404, or 410 for a deleted item
                return self._podio_item_gone(item_id)
        app = self._podio_app_of(item["app"]["app_id"])
        if not app:
            return {"skipped": 1, "summary": self.env._("The item's app is not linked.")}
        return app._import_items([item])

    def _job_import_item(self, job):
        """Import one item set aside because it could not be mapped (Retry, once fixed)."""
        with self._podio_session() as client:
            item = client.item(job.payload["id"])
        app = self._podio_app_of(item["app"]["app_id"])
        if not app:
            return {"skipped": 1, "summary": self.env._("The item's app is not linked.")}
        return app._import_items([item], quarantine=False)

    def _podio_item_gone(self, item_id):
        """The record of a deleted item archived (an order cancelled) or deleted, per
        ``deleted_item_policy``."""
        bindings = self.env["connector.external.binding"]._of_external_ids(self, ITEM, [item_id])
        record = (
            bindings[:1]
            and self.env[bindings[:1].res_model]
            .with_context(active_test=False)
            .browse(bindings[:1].res_id)
            .exists()
        )
        if not record:
            return {"skipped": 1, "summary": self.env._("No record for item %s.", item_id)}
        record = record.with_context(**{FROM_CONNECTOR: True})
        name = record.display_name
        deleted = {"updated": 1, "summary": self.env._("%s deleted: its item was deleted.", name)}
        if record._name == "sale.order.line":
            return self._podio_line_gone(record, name)
        if record._name == "sale.order":
            if record.state == "cancel" and self.deleted_item_policy == "archive":
                return {"skipped": 1, "summary": self.env._("%s was already cancelled.", name)}
            if record.state != "cancel":
                record._action_cancel()
            if self.deleted_item_policy == "unlink":
                record.unlink()
                return deleted
            return {"updated": 1, "summary": self.env._("%s cancelled: its item was deleted.", name)}
        if self.deleted_item_policy == "unlink" or "active" not in record._fields:
            record.unlink()
            return deleted
        if not record.active:
            return {"skipped": 1, "summary": self.env._("%s was already archived.", name)}
        record.active = False
        return {"updated": 1, "summary": self.env._("%s archived: its item was deleted.", name)}

    def _podio_line_gone(self, line, name):
        """A line has no archive: it is deleted, except on a confirmed order, where Odoo keeps
        it (with no quantity)."""
        if line.order_id.state == "sale":
            line.product_uom_qty = 0
            return {"updated": 1, "summary": self.env._("%s set to no quantity: its item was deleted.", name)}
        line.unlink()
        return {"updated": 1, "summary": self.env._("%s deleted: its item was deleted.", name)}

    def _job_create_hooks(self, job):
        app = self.env["podio.app"].browse(job.payload["app_link_id"]).exists()
        if not app or not app.active:
            return {"skipped": 1}
        with self._podio_session() as client:
            return app._ensure_hooks(client)

    def _job_validate_hook(self, job):
        """Send back the code of Podio's ``hook.verify``: the hook becomes active."""
        hook = self.env["podio.hook"].search(
            [("backend_id", "=", self.id), ("hook_id", "=", str(job.payload["hook_id"]))], limit=1
        )
        with self._podio_session() as client:
            client.validate_hook(job.payload["hook_id"], job.payload["code"])
        if hook:
            hook.status = "active"
        return {"updated": 1, "summary": self.env._("Hook %s verified.", job.payload["hook_id"])}

    def _job_delete_hook(self, job):
        with self._podio_session() as client:
            try:
                client.delete_hook(job.payload["hook_id"])
            except NotFoundError:
                return {"skipped": 1, "summary": self.env._("Podio had already deleted the hook.")}
        return {"updated": 1, "summary": self.env._("Hook deleted.")}
