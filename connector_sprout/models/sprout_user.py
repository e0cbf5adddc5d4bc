from odoo import fields, models


class SproutUser(models.Model):
    """A person using Sprout for the customer (who replies from the inbox)."""

    _name = "sprout.user"
    _inherit = ["connector.external.id.mixin"]
    _description = "Sprout Social User"
    _order = "name"

    backend_id = fields.Many2one("sprout.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True)
    user_id = fields.Char(string="Sprout user ID", required=True, readonly=True)
    name = fields.Char(required=True)
    email = fields.Char()

    _sql_constraints = [
        ("user_unique", "UNIQUE (backend_id, user_id)", "A Sprout user is imported once per backend."),
    ]
