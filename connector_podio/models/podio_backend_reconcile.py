from odoo import models

from odoo.addons.connector_base.lib.errors import ConfigurationError, NotFoundError
from odoo.addons.connector_base.lib.sync import content_hash

from ..lib.contacts import ITEM
from ..lib.mapper import item_record


class PodioBackendReconcile(models.Model):
    """The base's daily reconciliation over the items of every linked app."""

    _inherit = "podio.backend"  # pylint: disable=consider-merging-classes-inherited

    def _reconcile_types(self):
        return [ITEM]

    def _reconcile_snapshot(self, external_type):
        """Every item of every active linked app, a page at a time (the filter endpoint, as the
        import reads them). Podio counts every change in the item's revision, ours included:
        an item at the revision last synced is as Odoo last saw it (its binding's hash, so the
        base then asks whether the partner changed since), any other differs."""
        if external_type != ITEM:
            yield from super()._reconcile_snapshot(external_type)
            return
        Binding = self.env["connector.external.binding"]
        with self._podio_session() as client:
            for app in self.app_ids.filtered("active"):
                mapper = app._mapper()
                for page in client.iter_item_pages(app.app_id):
                    records = [item_record(item) for item in page]
                    revisions = {record["id"]: str(record["revision"]) for record in records}
                    bound = Binding._lookup(self, ITEM, list(revisions))
                    versions = Binding._external_versions(self, ITEM, list(revisions))
                    synced = {item_id for item_id in bound if versions.get(item_id) == revisions[item_id]}
                    batch = mapper.to_odoo_batch([record for record in records if record["id"] not in synced])
                    hashes = {record["id"]: content_hash(values) for record, values in batch.good}
                    for item_id in revisions:
                        if item_id in synced:
                            yield item_id, bound[item_id][2], False
                        elif item_id in bound:
                            yield item_id, hashes.get(item_id), True
                        else:
                            yield item_id, hashes.get(item_id)

    def _job_import_record(self, job):
        """Re-import one item a reconciliation listed; one Podio no longer has archives its partner."""
        if job.payload.get("external_type") != ITEM:
            raise ConfigurationError(self.env._("Podio re-imports items only."))
        item_id = str(job.payload["external_id"])
        with self._podio_session() as client:
            try:
                item = client.item(item_id)
            except NotFoundError:
                return self._podio_item_gone(item_id)
        app = self._podio_app_of(item["app"]["app_id"])
        if not app:
            return {"skipped": 1, "summary": self.env._("The item's app is not linked.")}
        return app._import_items([item], quarantine=False)
