import json

from odoo import api, fields, models

from ..lib.sync import FROM_CONNECTOR


class ConnectorSyncConflict(models.Model):
    """A field both sides changed since the last sync, with no authority to decide.

    Nothing is overwritten until a person picks the value to keep.
    """

    _name = "connector.sync.conflict"
    _description = "Connector Sync Conflict"
    _order = "id desc"

    binding_id = fields.Many2one("connector.external.binding", required=True, ondelete="cascade", index=True)
    backend_model = fields.Char(related="binding_id.backend_model")
    backend_id = fields.Many2oneReference(related="binding_id.backend_id", model_field="backend_model")
    external_type = fields.Char(related="binding_id.external_type")
    external_id = fields.Char(related="binding_id.external_id")
    res_model = fields.Char(related="binding_id.res_model", store=True)
    record_ref = fields.Reference(related="binding_id.record_ref", string="Record")
    company_id = fields.Many2one(related="binding_id.company_id", store=True)
    field_name = fields.Char(required=True)
    field_label = fields.Char(compute="_compute_field_label", string="Field")
    odoo_value = fields.Json(string="Value in Odoo")
    external_value = fields.Json(string="Value on the platform")
    odoo_value_text = fields.Char(compute="_compute_value_texts", string="Odoo value")
    external_value_text = fields.Char(compute="_compute_value_texts", string="Platform value")
    external_updated_at = fields.Datetime(string="Platform change time")
    state = fields.Selection(
        [("open", "To resolve"), ("odoo", "Kept Odoo's value"), ("platform", "Kept the platform's value")],
        default="open",
        required=True,
        index=True,
    )

    @api.depends("res_model", "field_name")
    def _compute_field_label(self):
        for conflict in self:
            model = self.env.get(conflict.res_model)
            field = model._fields.get(conflict.field_name) if model is not None else None
            conflict.field_label = field.string if field else conflict.field_name

    @api.depends("odoo_value", "external_value")
    def _compute_value_texts(self):
        for conflict in self:
            conflict.odoo_value_text = json.dumps(conflict.odoo_value, ensure_ascii=False)
            conflict.external_value_text = json.dumps(conflict.external_value, ensure_ascii=False)

    @api.model
    def _record(self, binding_id, field_name, odoo_value, external_value, item):
        """Open a conflict, or refresh the open one for the same field."""
        values = {
            "odoo_value": odoo_value,
            "external_value": external_value,
            "external_updated_at": item.get("external_updated_at"),
        }
        existing = self.search(
            [("binding_id", "=", binding_id), ("field_name", "=", field_name), ("state", "=", "open")],
            limit=1,
        )
        if existing:
            existing.write(values)
            return existing
        conflict = self.create({"binding_id": binding_id, "field_name": field_name, **values})
        conflict._post_on_record()
        return conflict

    def _post_on_record(self):
        """Tell the people following the record, in its chatter, that a value waits for them."""
        for conflict in self:
            binding = conflict.binding_id
            record = self.env[binding.res_model].browse(binding.res_id).exists()
            if not record or not hasattr(record, "message_post"):
                continue
            backend = self.env[binding.backend_model].browse(binding.backend_id)
            body = self.env._(
                "%(field)s was changed both here (%(odoo)s) and on %(platform)s (%(external)s) since the "
                "last sync: nothing was overwritten. Pick the value to keep under Sync history, or in "
                "Connectors > Conflicts.",
                field=conflict.field_label,
                odoo=conflict.odoo_value_text,
                platform=backend.display_name,
                external=conflict.external_value_text,
            )
            record.sudo().with_context(**{FROM_CONNECTOR: True}).message_post(
                body=body, message_type="comment", subtype_xmlid="mail.mt_note"
            )

    def action_keep_odoo(self):
        """Odoo's value wins: send it to the platform."""
        open_conflicts = self.filtered(lambda conflict: conflict.state == "open")
        open_conflicts.binding_id._enqueue_exports()
        open_conflicts.write({"state": "odoo"})
        return True

    def action_keep_platform(self):
        """The platform's value wins: write it into Odoo, without echoing it back."""
        for conflict in self.filtered(lambda conflict: conflict.state == "open"):
            binding = conflict.binding_id
            record = self.env[binding.res_model].browse(binding.res_id).with_context(**{FROM_CONNECTOR: True})
            record.write({conflict.field_name: conflict.external_value})
            binding.synced_values = {
                **(binding.synced_values or {}),
                conflict.field_name: conflict.external_value,
            }
            conflict.state = "platform"
        return True
