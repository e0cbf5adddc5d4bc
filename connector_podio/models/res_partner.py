from odoo import api, fields, models

from ..lib.contacts import match_key


class ResPartner(models.Model):
    """Partners bound to Podio contact items (the base's bindings and sync history), and the
    key an item's partner is recognised by before one is created."""

    _name = "res.partner"
    _inherit = ["res.partner", "connector.external.id.mixin"]

    podio_match_key = fields.Char(
        compute="_compute_podio_match_key",
        store=True,
        index=True,
        help="The name and company the partner is recognised by (without case), before a Podio "
        "contact item creates a partner.",
    )

    @api.depends("name", "commercial_company_name")
    def _compute_podio_match_key(self):
        for partner in self:
            partner.podio_match_key = match_key(partner.name, partner.commercial_company_name) or False
