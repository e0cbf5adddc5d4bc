from odoo import api, fields, models
from odoo.tools import float_compare

from ..lib import mapper as cells

COUNT_FIELDS = ("product_id", "location_id", "lot_name", "quantity")


class SmartsheetInventoryCount(models.Model):
    """One row of an inventory sheet: a quantity counted for a product at a location.

    It never writes stock quantities itself: each new or changed count is applied
    through Odoo's inventory adjustment (``stock.quant`` in inventory mode), which
    makes the stock moves. Lots and serial numbers are created when missing.
    """

    _name = "smartsheet.inventory.count"
    _inherit = ["connector.external.id.mixin"]
    _description = "Smartsheet Inventory Count"
    _order = "id desc"

    sheet_id = fields.Many2one("smartsheet.sheet", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="sheet_id.company_id", store=True, index=True)
    product_id = fields.Many2one("product.product", required=True, ondelete="restrict")
    location_id = fields.Many2one("stock.location", required=True, ondelete="restrict")
    lot_name = fields.Char(string="Lot/serial number")
    lot_id = fields.Many2one("stock.lot", string="Lot/serial", readonly=True)
    quantity = fields.Float(string="Counted quantity", digits="Product Unit of Measure")
    state = fields.Selection(
        [("pending", "To apply"), ("applied", "Applied")], default="pending", required=True, readonly=True
    )
    applied_at = fields.Datetime(readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([{**vals, "state": "pending"} for vals in vals_list])

    def write(self, vals):
        if any(name in vals for name in COUNT_FIELDS):
            vals = {**vals, "state": "pending"}
        return super().write(vals)

    @api.model
    def _tracking_problem(self, product, lot_name, quantity):
        """Why a count cannot be applied for this product, or None."""
        if product.tracking == "none":
            return None
        if not lot_name:
            return "the product is tracked by lot or serial number: a lot/serial is required"
        if product.tracking == "serial" and float_compare(abs(quantity), 1, precision_digits=6) > 0:
            return "a serial number counts one unit at most"
        return None

    def _apply(self):
        """Apply the counts through Odoo's inventory adjustment, as one batch."""
        if not self:
            return
        lots = self._lots()
        no_lot = self.env["stock.lot"]
        # Inventory mode: Odoo finds (or creates) each quant and records the counted quantity.
        Quant = self.env["stock.quant"].sudo().with_context(inventory_mode=True)
        quants = Quant.create(
            [
                {
                    "product_id": count.product_id.id,
                    "location_id": count.location_id.id,
                    "lot_id": lots.get(count.id, no_lot).id,
                    "inventory_quantity": count.quantity,
                }
                for count in self
            ]
        )
        quants.with_context(set_inventory_quantity_auto_apply=True).action_apply_inventory()
        for count in self.filtered(lambda count: count.id in lots):
            count.lot_id = lots[count.id]
        self.write({"state": "applied", "applied_at": fields.Datetime.now()})

    def _lots(self):
        """{count id: lot} for counts of tracked products; missing lots are created in one batch."""
        tracked = self.filtered(lambda count: count.product_id.tracking != "none" and count.lot_name)
        if not tracked:
            return {}
        Lot = self.env["stock.lot"].sudo()
        found = Lot.search(
            [("product_id", "in", tracked.product_id.ids), ("name", "in", tracked.mapped("lot_name"))]
        )
        by_key = {(lot.product_id.id, lot.name): lot for lot in found}
        wanted = {}
        for count in tracked:
            key = (count.product_id.id, count.lot_name)
            if key not in by_key:
                wanted[key] = {"product_id": key[0], "name": key[1], "company_id": count.company_id.id}
        for lot in Lot.create(list(wanted.values())) if wanted else Lot:
            by_key[lot.product_id.id, lot.name] = lot
        return {count.id: by_key[count.product_id.id, count.lot_name] for count in tracked}

    def _smartsheet_row_deleted(self, action):
        """A deleted row takes its count with it; the stock it adjusted stays as counted."""
        count = len(self)
        self.unlink()
        return count

    @api.model
    def _smartsheet_default_mappings(self, sheet):
        roles = sheet.column_ids._guess_roles()
        quantity = roles.get("quantity")
        if not quantity or quantity.column_type != cells.TEXT_NUMBER:
            return []
        return [
            {
                "odoo_field": "quantity",
                "external_field": quantity.column_id,
                "external_label": quantity.name,
                "direction": "import",
                "required": True,
            }
        ]
