from odoo import api, fields, models
from odoo.osv import expression


class ConnectorSyncHistory(models.TransientModel):
    """What the connectors did with one record: the platform objects it is bound to,
    the jobs about them and the conflicts they raised (the Sync history button)."""

    _name = "connector.sync.history"
    _description = "Connector Sync History"

    res_model = fields.Char(required=True, readonly=True)
    res_id = fields.Many2oneReference(model_field="res_model", required=True, readonly=True)
    record_name = fields.Char(compute="_compute_history", string="Record")
    binding_ids = fields.Many2many(
        "connector.external.binding", compute="_compute_history", string="Bindings"
    )
    job_ids = fields.Many2many("connector.sync.job", compute="_compute_history", string="Jobs")
    conflict_ids = fields.Many2many("connector.sync.conflict", compute="_compute_history", string="Conflicts")

    @api.model
    def _open_for(self, record):
        history = self.create({"res_model": record._name, "res_id": record.id})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Sync history of %(record)s", record=record.display_name),
            "res_model": self._name,
            "res_id": history.id,
            "views": [[self.env.ref("connector_base.connector_sync_history_view_form").id, "form"]],
            "target": "new",
        }

    @api.depends("res_model", "res_id")
    def _compute_history(self):
        Binding = self.env["connector.external.binding"]
        for history in self:
            record = self.env[history.res_model].browse(history.res_id)
            history.record_name = record.exists().display_name
            bindings = Binding.search(
                [("res_model", "=", history.res_model), ("res_id", "=", history.res_id)]
            )
            history.binding_ids = bindings
            history.conflict_ids = self.env["connector.sync.conflict"].search(
                [("binding_id", "in", bindings.ids)]
            )
            history.job_ids = self.env["connector.sync.job"].search(
                expression.OR(
                    [
                        [
                            ("backend_model", "=", binding.backend_model),
                            ("backend_id", "=", binding.backend_id),
                            ("object_type", "=", binding.external_type),
                            ("external_id", "=", binding.external_id),
                        ]
                        for binding in bindings
                    ]
                )
                if bindings
                else [("id", "=", 0)],
                limit=200,
            )
