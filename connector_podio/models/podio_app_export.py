from odoo import models

from ..lib.item_writes import category_options, field_types, item_fields, written_fields


class PodioAppExport(models.Model):
    """Records changed in Odoo written to the items of an app linked both ways (partners,
    orders, order lines); records made in Odoo becoming items: podio_app_create."""

    _inherit = "podio.app"  # pylint: disable=consider-merging-classes-inherited

    def _item_fields(self, client, item, wanted, currency=None, definitions=None):
        """The values to write where ``wanted`` differs from ``item`` (None: a new item). The
        fields' types and category options come from the item, else from the app's
        definitions (read only when the item lacks one the write needs; kept in
        ``definitions``, by app, for the next item of the same job). ``currency``: the
        record's, for a money field neither the mappings nor the item give one."""
        fields_ = (item or {}).get("fields")
        types, options = field_types(fields_), category_options(fields_)
        written = written_fields(wanted)
        categories = {name for name in written if types.get(name) == "category"}
        if written - set(types) or categories - set(options):
            definitions = {} if definitions is None else definitions
            if self.app_id not in definitions:
                definitions[self.app_id] = client.app(self.app_id).get("fields")
            types = {**field_types(definitions[self.app_id]), **types}
            options = {**category_options(definitions[self.app_id]), **options}
        return item_fields(wanted, item, types, options, currency=currency)

    def _export_item(self, binding, record, item, client):
        """Write to ``item`` the mapped fields where ``record`` differs; returns the item's revision
        number after the write (the same when nothing differed)."""
        backend = self.backend_id
        wanted = backend._connector_export_values(binding, record, self._mapper())
        revision = item["current_revision"]["revision"]
        currency = record.currency_id.name if "currency_id" in record._fields else None
        values = self._item_fields(client, item, wanted, currency=currency)
        if not values:
            return revision
        client.update_item(item["item_id"], values, revision=revision, hook=not backend.export_mutes_hooks)
        # The write named the revision it changed: succeeding, it made the next one.
        return revision + 1
