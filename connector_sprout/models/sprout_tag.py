from odoo import fields, models


class SproutTag(models.Model):
    """A Sprout tag (a label or a campaign) that messages carry."""

    _name = "sprout.tag"
    _inherit = ["connector.external.id.mixin"]
    _description = "Sprout Social Tag"
    _order = "name"

    backend_id = fields.Many2one("sprout.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True)
    tag_id = fields.Char(string="Sprout tag ID", required=True, readonly=True)
    name = fields.Char(required=True)
    tag_type = fields.Selection([("label", "Label"), ("campaign", "Campaign")], string="Type")
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("tag_unique", "UNIQUE (backend_id, tag_id)", "A Sprout tag is imported once per backend."),
    ]
