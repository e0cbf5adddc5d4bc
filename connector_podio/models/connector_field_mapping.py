from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ConnectorFieldMapping(models.Model):
    """A Podio mapping picks a field of a linked app (with the keys of its parts) instead of
    typing its external id."""

    _inherit = "connector.field.mapping"

    is_podio = fields.Boolean(compute="_compute_podio_field_id")
    podio_field_id = fields.Many2one(
        "podio.app.field",
        string="Podio field",
        compute="_compute_podio_field_id",
        inverse="_inverse_podio_field_id",
        domain="[('backend_id', '=', backend_id), ('odoo_model', '=', odoo_model)]",
        help="A field of an app linked to this model, as read from Podio.",
    )
    podio_field_keys = fields.Char(
        string="Keys of the field",
        compute="_compute_podio_field_id",
        help="What the external field may name.",
    )

    @api.depends("backend_model", "backend_id", "odoo_model", "external_field")
    def _compute_podio_field_id(self):
        podio = self.filtered(lambda mapping: mapping.backend_model == "podio.backend")
        app_fields = self.env["podio.app.field"].search(
            [
                ("backend_id", "in", podio.mapped("backend_id")),
                ("odoo_model", "in", podio.mapped("odoo_model")),
            ]
        )
        by_key = {(field.backend_id.id, field.odoo_model, field.external_id): field for field in app_fields}
        for mapping in self:
            mapping.is_podio = mapping in podio
            key = (mapping.external_field or "").partition(":")[0]
            mapping.podio_field_id = by_key.get((mapping.backend_id, mapping.odoo_model, key))
            mapping.podio_field_keys = mapping.podio_field_id.keys

    def _inverse_podio_field_id(self):
        for mapping in self.filtered("podio_field_id"):
            field = mapping.podio_field_id
            if (mapping.external_field or "").partition(":")[0] != field.external_id:
                mapping.write({"external_field": field.external_id, "external_label": field.label})

    @api.constrains("direction", "external_field")
    def _check_podio_calculation_import_only(self):
        """Podio computes a calculation field: it can be read, never written."""
        for mapping in self.filtered(lambda mapping: mapping.is_podio and mapping.direction != "import"):
            if mapping.podio_field_id.field_type == "calculation":
                raise ValidationError(
                    self.env._(
                        "%(field)s is a Podio calculation, which Podio computes: map it for import only.",
                        field=mapping.podio_field_id.label,
                    )
                )
