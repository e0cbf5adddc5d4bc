from odoo import models

from odoo.addons.connector_base.lib.errors import NotFoundError
from odoo.addons.connector_base.lib.reread import reread
from odoo.addons.connector_base.lib.sync import summed_results

from ..lib.client import CLOCK_SKEW, FILTER_CALL_WEIGHT
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
        """Apply item events by reading each item again, whatever the events say (a hook's
        body is never trusted): this job's item and those of the other pending item events
        of this backend, which it takes along (connector_base's coalescing), so a burst of
        changes costs one run; the more of the quota is spent, the longer a run in a burst
        gathers events first, so a burst costs far fewer calls than changes. Each item is read
        once: by itself, or, when more items of an app changed than a filter call weighs, from
        the app's items edited since the oldest event (newest first; one the listing misses is
        read by itself). An item Podio has is imported with the others of its app, linked apps
        in the order they were linked (contacts before the orders referring to them); one it no
        longer has (404 or 410) archives (or deletes) its record. Events that arrive twice or
        out of order end in the item's state."""
        results, by_app, item_ids = [], {}, []
        with self._podio_session() as client:
            # In a burst, the more of Podio's hourly quota is spent, the longer the run gathers
            # events before reading: one listing then serves many (connector_base's burst wait).
            jobs = job | job._coalesce_pending(wait_for_more=client.burst_wait())
            wanted = {}  # app id (None: not known) -> item ids
            for each in jobs:
                wanted.setdefault(each.payload.get("app_id"), []).append(str(each.payload["item_id"]))
            # The item was edited before its event was stored; Podio's clock may be ahead of Odoo's.
            since = min(jobs.mapped("create_date")) - CLOCK_SKEW

            def read_each(item_id):
                try:
                    return client.item(item_id)
                except NotFoundError:  # 404, or 410 for a deleted item
                    return None

            def recently_edited(app_id):
                return client.iter_item_pages(app_id, edited_since=since, newest_first=True)

            for app_id, ids in wanted.items():
                items = reread(
                    ids,
                    read_each,
                    lambda app_id=app_id: recently_edited(app_id),
                    FILTER_CALL_WEIGHT if app_id else len(ids),
                    key=lambda item: str(item["item_id"]),
                )
                for item_id, item in items.items():
                    item_ids.append(item_id)
                    if item is None:
                        results.append(self._podio_item_gone(item_id))
                    else:
                        by_app.setdefault(str(item["app"]["app_id"]), []).append(item)
        synced = self.env["connector.external.binding"]._external_versions(self, ITEM, item_ids)
        synced_already = 0
        for app in self.app_ids.filtered("active").sorted("id"):
            items = by_app.pop(app.app_id, [])
            # The revision last synced: most often the hook of the connector's own write.
            fresh = [
                item
                for item in items
                if synced.get(str(item["item_id"])) != str(item["current_revision"]["revision"])
            ]
            synced_already += len(items) - len(fresh)
            if fresh:
                results.append(app._import_items(fresh))
        if synced_already:
            summary = self.env._("%s item(s) already synced at their revision.", synced_already)
            results.append({"skipped": synced_already, "summary": summary})
        if by_app:
            skipped = sum(len(items) for items in by_app.values())
            summary = self.env._("%s item(s) of apps not linked.", skipped)
            results.append({"skipped": skipped, "summary": summary})
        return summed_results(results)

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
