from odoo import models

from ..lib import mapper as cells


class SmartsheetSheetInventoryImport(models.Model):
    """The rows of an inventory sheet: counts applied through Odoo's inventory adjustment."""

    _inherit = "smartsheet.sheet"  # pylint: disable=consider-merging-classes-inherited

    def _import_inventory_rows(self, good, run):
        products, failures = self._resolve_products(good)
        locations, location_failures = self._resolve_locations(
            [(r, v) for r, v in good if r[cells.ROW_ID] in products]
        )
        failures += location_failures
        Count = self.env["smartsheet.inventory.count"]
        items, checked = [], []
        for record, values in good:
            row_id = record[cells.ROW_ID]
            if row_id not in products or row_id not in locations:
                continue
            lot_name = self._cell_text(record, self.lot_column_id)
            problem = Count._tracking_problem(products[row_id], lot_name, values.get("quantity") or 0.0)
            if problem:
                failures.append(
                    (
                        record,
                        self._row_error(
                            record, self.lot_column_id or self.product_column_id, lot_name, problem
                        ),
                    )
                )
                continue
            checked.append(row_id)
            items.append(
                self._item(
                    record,
                    {
                        **values,
                        "sheet_id": self.id,
                        "product_id": products[row_id].id,
                        "location_id": locations[row_id].id,
                        "lot_name": lot_name or False,
                    },
                )
            )
        self._upsert("smartsheet.inventory.count", items, run)
        counts = Count.browse([run.known[row_id] for row_id in checked])
        counts.filtered(lambda count: count.state == "pending")._apply()
        return failures

    def _preview_inventory_rows(self, good, previewed):
        products, failures = self._resolve_products(good)
        located = [(record, values) for record, values in good if record[cells.ROW_ID] in products]
        locations, location_failures = self._resolve_locations(located)
        failures += location_failures
        Count = self.env["smartsheet.inventory.count"]
        written = []
        for record, values in located:
            row_id = record[cells.ROW_ID]
            if row_id not in locations:
                continue
            lot_name = self._cell_text(record, self.lot_column_id)
            problem = Count._tracking_problem(products[row_id], lot_name, values.get("quantity") or 0.0)
            if problem:
                column = self.lot_column_id or self.product_column_id
                failures.append((record, self._row_error(record, column, lot_name, problem)))
                continue
            written.append(
                (
                    record,
                    {**values, "product_id": products[row_id].id, "location_id": locations[row_id].id},
                )
            )
        return written, failures
