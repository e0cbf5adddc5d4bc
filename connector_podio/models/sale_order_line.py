from odoo import models


class SaleOrderLine(models.Model):
    """Order lines bound to the items of a Podio order lines app."""

    _name = "sale.order.line"
    _inherit = ["sale.order.line", "connector.external.id.mixin"]
