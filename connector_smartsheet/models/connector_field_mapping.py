import dataclasses

from odoo import api, fields, models

from odoo.addons.connector_base.lib import converters

UNMATCHED_POLICIES = [
    ("empty", "Leave empty, list them on the sheet"),
    ("partner", "Leave empty, the partner with that email follows the record"),
    ("refuse", "Refuse the row"),
]


class ConnectorFieldMapping(models.Model):
    _inherit = "connector.field.mapping"

    smartsheet_column_id = fields.Many2one(
        "smartsheet.column",
        string="Smartsheet column",
        compute="_compute_smartsheet_column_id",
        inverse="_inverse_smartsheet_column_id",
        domain="[('external_type', '=', external_type)]",
        help="A column of the linked sheet, as read from Smartsheet.",
    )
    is_smartsheet = fields.Boolean(compute="_compute_smartsheet_column_id")
    smartsheet_unmatched = fields.Selection(
        UNMATCHED_POLICIES,
        string="Values no record matches",
        default="empty",
        required=True,
        help="What a contact (or another looked-up value) that matches no Odoo record does to its row.",
    )

    @api.depends("backend_model", "external_type", "external_field")
    def _compute_smartsheet_column_id(self):
        smartsheet = self.filtered(lambda mapping: mapping.backend_model == "smartsheet.backend")
        columns = self.env["smartsheet.column"].search(
            [("external_type", "in", smartsheet.mapped("external_type"))]
        )
        by_key = {(column.external_type, column.column_id): column for column in columns}
        for mapping in self:
            mapping.is_smartsheet = mapping in smartsheet
            mapping.smartsheet_column_id = by_key.get((mapping.external_type, mapping.external_field))

    def _inverse_smartsheet_column_id(self):
        for mapping in self.filtered("smartsheet_column_id"):
            column = mapping.smartsheet_column_id
            mapping.write({"external_field": column.column_id, "external_label": column.name})

    def _field_rule(self):
        rule = super()._field_rule()
        if self.backend_model == "smartsheet.backend" and rule.converter in converters.LOOKUP_CONVERTERS:
            rule = dataclasses.replace(
                rule, unmatched="refuse" if self.smartsheet_unmatched == "refuse" else "empty"
            )
        return rule
