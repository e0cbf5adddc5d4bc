from odoo import models

from ..lib import mapper as cells


class SmartsheetSheetProductionImport(models.Model):
    """The rows of a manufacturing sheet: one manufacturing order per row, in the state the row asks for."""

    _inherit = "smartsheet.sheet"  # pylint: disable=consider-merging-classes-inherited

    def _import_production_rows(self, good, run):
        products, failures = self._resolve_products(good)
        items = [
            self._item(record, {**values, "product_id": products[record[cells.ROW_ID]].id})
            for record, values in good
            if record[cells.ROW_ID] in products
        ]
        self._upsert("mrp.production", items, run)
        productions = self.env["mrp.production"].browse(
            [run.known[int(item["external_id"])] for item in items]
        )
        productions._smartsheet_apply_requested_states()
        return failures

    def _preview_production_rows(self, good, previewed):
        products, failures = self._resolve_products(good)
        written = [
            (record, {**values, "product_id": products[record[cells.ROW_ID]].id})
            for record, values in good
            if record[cells.ROW_ID] in products
        ]
        return written, failures
