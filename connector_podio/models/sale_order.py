from odoo import models


class SaleOrder(models.Model):
    """Sales orders bound to Podio sales items (the base's bindings and sync history)."""

    _name = "sale.order"
    _inherit = ["sale.order", "connector.external.id.mixin"]
