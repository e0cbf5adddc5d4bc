from odoo import fields, models


class SproutGroup(models.Model):
    """A Sprout group: the profiles a messages request may ask for together."""

    _name = "sprout.group"
    _inherit = ["connector.external.id.mixin"]
    _description = "Sprout Social Group"
    _order = "name"

    backend_id = fields.Many2one("sprout.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True)
    group_id = fields.Char(string="Sprout group ID", required=True, readonly=True)
    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    profile_ids = fields.Many2many(
        "sprout.profile", "sprout_profile_group_rel", "group_id", "profile_id", string="Profiles"
    )

    _sql_constraints = [
        ("group_unique", "UNIQUE (backend_id, group_id)", "A Sprout group is imported once per backend."),
    ]
