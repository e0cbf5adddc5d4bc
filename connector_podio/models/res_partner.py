from odoo import models


class ResPartner(models.Model):
    """Partners bound to Podio contact items (the base's bindings and sync history)."""

    _name = "res.partner"
    _inherit = ["res.partner", "connector.external.id.mixin"]
