import json

from odoo import fields, models

from odoo.addons.connector_base.lib.sync import content_hash

from ..lib.contacts import ITEM


class PodioBackendExport(models.Model):
    """The base's export hooks for items: Odoo's changes written back to the apps linked both
    ways, after what Podio changed meanwhile is settled, and recognised when their hook
    comes back."""

    _inherit = "podio.backend"  # pylint: disable=consider-merging-classes-inherited
    _connector_export_holds_conflicts = True

    export_mutes_hooks = fields.Boolean(
        string="Mute hooks on writes",
        help="Write to Podio with hook=false, so no hook reports the connector's own change. This "
        "mutes every hook of the app for that write, other integrations' too: leave it off unless "
        "nothing else listens to these apps. Off, the connector recognises its own revisions.",
    )

    def _podio_exporting_apps(self, model_name):
        return self.app_ids.filtered(
            lambda app: app.active and app.direction == "both" and app.odoo_model == model_name
        )

    def _job_export_record(self, job):
        binding = self.env["connector.external.binding"].browse(job.payload["binding_id"]).exists()
        if binding and binding.external_type == ITEM and not self._podio_exporting_apps(binding.res_model):
            return {"skipped": 1, "summary": self.env._("No app of this backend is linked both ways.")}
        return super()._job_export_record(job)

    def _job_create_item(self, job):
        app = self.env["podio.app"].browse(job.payload["app_link_id"]).exists()
        record = self.env[job.payload["res_model"]].browse(job.payload["res_id"]).exists()
        if not app or not app.active or app.direction != "both" or not record:
            return {
                "skipped": 1,
                "summary": self.env._("The app or the record is gone, or no longer exports."),
            }
        return app._create_item(record)

    def _connector_export_values(self, binding, record, mapper):
        """The mapped values, without the fields an open conflict holds: once a person settles
        it, they differ and export."""
        values = super()._connector_export_values(binding, record, mapper)
        if binding.external_type != ITEM:
            return values
        held = binding._held_fields()
        sources = {rule.external_field: rule.odoo_field for rule in mapper.rules if rule.exports}
        return {key: value for key, value in values.items() if sources.get(key) not in held}

    def _connector_export_done(self, binding, record, export_hash, external_updated_at):
        """The hash of what was sent: the import before the write may have changed the partner,
        or opened a conflict holding a field back (sent once a person settles it)."""
        if binding.external_type == ITEM:
            mapper = self.env["connector.field.mapping"]._get_mapper(self, ITEM, binding.res_model)
            export_hash = content_hash(self._connector_export_values(binding, record, mapper))
        return super()._connector_export_done(binding, record, export_hash, external_updated_at)

    def _export_record(self, binding, record, external_values):
        """Write the partner's changes to its item. The item is read first: if its revision
        moved since the last sync (someone edited it in Podio), it is imported first, with the
        mappings' authorities deciding a field both sides changed (or a conflict for a
        person); then only what still differs is sent, naming the revision it changes (a
        later edit in between answers 409 and the job reads the item again)."""
        if binding.external_type != ITEM:
            return super()._export_record(binding, record, external_values)
        with self._podio_session() as client:
            item = client.item(binding.external_id)  # deleted: its hook archives the partner
            app = self._podio_app_of(item["app"]["app_id"])
            if not app or app.direction != "both":
                return None
            if str(item["current_revision"]["revision"]) != (binding.external_version or ""):
                app._import_items([item], quarantine=False)
                record.invalidate_recordset()
            revision = app._export_item(binding, record, item, client)
        self.env["connector.external.binding"]._set_external_versions(
            self, ITEM, {binding.external_id: revision}
        )
        return None

    def _podio_remember_sync(self, binding, record, revision):
        """After the connector wrote ``record`` to its item (at ``revision``): the item's revision
        and the record's mapped values as last synced, so the hook our write sends is dropped
        and a later change on either side is told apart."""
        mapper = self.env["connector.field.mapping"]._get_mapper(self, ITEM, record._name)
        names = [
            rule.odoo_field for rule in mapper.rules if rule.imports and rule.odoo_field in record._fields
        ]
        snapshot = {name: record._fields[name].convert_to_write(record[name], record) for name in names}
        binding.write(
            {
                "synced_values": json.loads(json.dumps(snapshot, default=str)),
                "synced_at": fields.Datetime.now(),
            }
        )
        self.env["connector.external.binding"]._set_external_versions(
            self, ITEM, {binding.external_id: revision}
        )
