from odoo import models

from odoo.addons.connector_base.lib.errors import NotFoundError

from ..lib.contacts import ITEM


class PodioBackendJobs(models.Model):
    """The jobs of a Podio backend: imports, item events (from hooks and polls), hooks."""

    _inherit = "podio.backend"  # pylint: disable=consider-merging-classes-inherited

    def _podio_app_of(self, app_id):
        return self.app_ids.filtered(lambda app: app.app_id == str(app_id) and app.active)

    def _job_import_app(self, job):
        app = self._connector_job_container(job, "podio.app", "app_link_id")
        if not app:
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
        revision = str(item["current_revision"]["revision"])
        if (
            self.env["connector.external.binding"]._external_versions(self, ITEM, [item_id]).get(item_id)
            == revision
        ):
            # The revision last synced: most often the hook of the connector's own write.
            return {
                "skipped": 1,
                "summary": self.env._("Revision %s of the item is already synced.", revision),
            }
        return app._import_items([item])

    def _job_import_item(self, job):
        """Import one item set aside because it could not be mapped (Retry, once fixed)."""
        with self._podio_session() as client:
            item = client.item(job.payload["id"])
        app = self._podio_app_of(item["app"]["app_id"])
        if not app:
            return {"skipped": 1, "summary": self.env._("The item's app is not linked.")}
        return app._import_items([item], quarantine=False)

    def _job_create_hooks(self, job):
        app = self._connector_job_container(job, "podio.app", "app_link_id")
        if not app:
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
