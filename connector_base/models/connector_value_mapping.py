from odoo import api, fields, models


class ConnectorValueMapping(models.Model):
    """One platform value of an enumeration and what it means in Odoo.

    A status mapped to a stage, a picklist option to a selection key, a label to a
    tag. Selections use ``odoo_value`` (the option's key); many2one and many2many
    fields use ``odoo_record_id``, a record of the mapped field's model.
    """

    _name = "connector.value.mapping"
    _description = "Connector Value Mapping"
    _order = "field_mapping_id, sequence, id"

    field_mapping_id = fields.Many2one(
        "connector.field.mapping", string="Field mapping", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(
        default=10, help="When several lines give the same Odoo value, the first is exported."
    )
    external_value = fields.Char(
        required=True, help="The value as the platform sends it: a status, an option, a label."
    )
    odoo_value = fields.Char(
        string="Odoo option", help="The key of the selection option this value stands for."
    )
    odoo_record_model = fields.Char(related="field_mapping_id.field_id.relation", string="Odoo record model")
    odoo_record_id = fields.Many2oneReference(
        model_field="odoo_record_model", string="Odoo record", help="The record this value stands for."
    )

    _sql_constraints = [
        (
            "external_value_unique",
            "UNIQUE (field_mapping_id, external_value)",
            "A platform value can be mapped only once per field mapping.",
        ),
    ]

    @api.depends("external_value", "odoo_value", "odoo_record_id", "odoo_record_model")
    def _compute_display_name(self):
        record_names = {}
        for model_name in set(self.mapped("odoo_record_model")):
            if model_name in self.env:
                ids = [line.odoo_record_id for line in self if line.odoo_record_model == model_name]
                records = self.env[model_name].browse(ids).exists()
                record_names.update({(model_name, record.id): record.display_name for record in records})
        for line in self:
            target = record_names.get((line.odoo_record_model, line.odoo_record_id)) or line.odoo_value
            line.display_name = f"{line.external_value} → {target or '?'}"

    @api.constrains("field_mapping_id", "external_value", "odoo_value", "odoo_record_id")
    def _check_target(self):
        self.field_mapping_id._check_value_mappings()

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        self.env.registry.clear_cache()  # compiled mappers hold the value maps
        return lines

    def write(self, vals):
        result = super().write(vals)
        self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result
