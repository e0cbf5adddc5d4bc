from odoo import fields, models

from odoo.addons.connector_base.lib.errors import ValidationError


class TestConnectorBatchBackend(models.Model):
    """A backend whose platform writes several records per call, for the batched export."""

    _name = "test.connector.batch.backend"
    _inherit = ["test.connector.backend"]
    _description = "Test Connector Batch Backend"
    _connector_export_batch_size = 2

    refused_ids = fields.Json(default=list, help="External ids the platform refuses to write.")
    export_calls = fields.Json(default=list, help="External ids sent by each _export_records call.")

    def _export_records(self, items):
        self.export_calls = [*(self.export_calls or []), [binding.external_id for binding, _r, _v in items]]
        refused = set(self.refused_ids or [])
        return {
            binding.id: ValidationError(f"the platform refused {binding.external_id}")
            if binding.external_id in refused
            else None
            for binding, _record, _values in items
        }
