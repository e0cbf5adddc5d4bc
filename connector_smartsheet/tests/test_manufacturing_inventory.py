from odoo.tests import tagged

from odoo.addons.connector_smartsheet.tests.emulator import INVENTORY_COLUMNS, MRP_COLUMNS

from .common import SmartsheetCase


@tagged("post_install", "-at_install")
class TestManufacturingAndInventorySheets(SmartsheetCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Product = cls.env["product.product"]
        cls.desk = Product.create({"name": "Desk", "default_code": "FURN_8888", "is_storable": True})
        cls.leg = Product.create({"name": "Desk leg", "is_storable": True})
        cls.chair = Product.create({"name": "Office Chair", "is_storable": True})
        cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": cls.desk.product_tmpl_id.id,
                "product_qty": 1,
                "bom_line_ids": [(0, 0, {"product_id": cls.leg.id, "product_qty": 4})],
            }
        )
        cls.screw = Product.create({"name": "Screw", "default_code": "FURN_7777", "is_storable": True})
        cls.paint = Product.create(
            {"name": "Paint", "default_code": "FURN_9999", "is_storable": True, "tracking": "lot"}
        )
        cls.stock = cls.env.ref("stock.stock_location_stock")

    def production_of(self, sheet, row_id):
        return (
            self.env["mrp.production"]
            ._connector_find(self.backend, sheet.external_type, [str(row_id)])
            .get(str(row_id))
        )

    def quarantined(self, sheet):
        return self.env["connector.sync.job"].search(
            [("object_type", "=", sheet.external_type), ("method_name", "=", "_job_import_row")]
        )

    def test_production_rows_become_manufacturing_orders_with_their_bom_and_state(self):
        sheet_id = self.emulator.add_sheet("Production Plan", MRP_COLUMNS)
        rows = {
            name: self.emulator.add_row(sheet_id, values)
            for name, values in {
                "desks": {
                    "Order": "Batch 1",
                    "Product": "FURN_8888",
                    "Quantity": 5,
                    "Start": "2025-05-02",
                    "Status": "Confirmed",
                },
                "chairs": {
                    "Order": "Batch 2",
                    "Product": "Office Chair",
                    "Quantity": 12,
                    "Start": "2025-05-09",
                    "Status": "Draft",
                },
                "ghost": {
                    "Order": "Batch 3",
                    "Product": "NOPE-1",
                    "Quantity": 1,
                    "Start": "2025-05-09",
                    "Status": "Draft",
                },
                "done": {
                    "Order": "Batch 4",
                    "Product": "FURN_8888",
                    "Quantity": 1,
                    "Start": "2025-05-01",
                    "Status": "Done",
                },
                "cancelled": {
                    "Order": "Batch 5",
                    "Product": "Office Chair",
                    "Quantity": 2,
                    "Start": "2025-05-01",
                    "Status": "Cancelled",
                },
            }.items()
        }

        sheet = self.link(sheet_id, purpose="production", direction="import", project_id=False)
        self.run_jobs()

        self.assertEqual(sheet.product_column_id.name, "Product")
        desks = self.production_of(sheet, rows["desks"])
        self.assertEqual((desks.product_id, desks.product_qty, desks.origin), (self.desk, 5, "Batch 1"))
        self.assertTrue(desks.bom_id)
        self.assertEqual(desks.move_raw_ids.product_id, self.leg)
        self.assertEqual(desks.move_raw_ids.product_uom_qty, 20)
        self.assertEqual(desks.state, "confirmed")
        self.assertEqual(desks.date_start.date().isoformat(), "2025-05-02")
        chairs = self.production_of(sheet, rows["chairs"])
        self.assertEqual((chairs.product_id, chairs.state, chairs.bom_id.id), (self.chair, "draft", False))
        self.assertEqual(self.production_of(sheet, rows["done"]).state, "done")
        self.assertEqual(self.production_of(sheet, rows["cancelled"]).state, "cancel")
        self.assertIsNone(self.production_of(sheet, rows["ghost"]))
        [quarantined] = self.quarantined(sheet)
        self.assertIn("row 3", quarantined.error_message)
        self.assertIn("Product", quarantined.error_message)
        self.assertIn("NOPE-1", quarantined.error_message)

        self.emulator.update_cells(sheet_id, rows["chairs"], {"Status": "Confirmed", "Quantity": 10})
        self.deliver(sheet_id)
        self.run_jobs()

        self.assertEqual((chairs.state, chairs.product_qty), ("confirmed", 10))

    def test_inventory_rows_are_applied_through_inventory_adjustments(self):
        sheet_id = self.emulator.add_sheet("Stock Count", INVENTORY_COLUMNS)
        rows = {
            name: self.emulator.add_row(sheet_id, values)
            for name, values in {
                "screws": {"Product": "FURN_7777", "Location": "WH/Stock", "Counted": 42},
                "paint": {
                    "Product": "Paint",
                    "Location": "WH/Stock",
                    "Lot/Serial": "LOT-2025-01",
                    "Counted": 7,
                },
                "paint without lot": {"Product": "FURN_9999", "Location": "WH/Stock", "Counted": 3},
                "nowhere": {"Product": "FURN_7777", "Location": "Atlantis", "Counted": 1},
            }.items()
        }

        sheet = self.link(sheet_id, purpose="inventory", direction="import", project_id=False)
        self.run_jobs()

        self.assertEqual(self.screw.with_context(location=self.stock.id).qty_available, 42)
        lot = self.env["stock.lot"].search([("product_id", "=", self.paint.id), ("name", "=", "LOT-2025-01")])
        self.assertTrue(lot, "the lot was created")
        self.assertEqual(self.paint.with_context(location=self.stock.id, lot_id=lot.id).qty_available, 7)
        moves = self.env["stock.move"].search(
            [("product_id", "in", (self.screw | self.paint).ids), ("is_inventory", "=", True)]
        )
        self.assertEqual(len(moves), 2, "each count went through an inventory adjustment")
        self.assertEqual(set(moves.mapped("state")), {"done"})
        errors = "\n".join(self.quarantined(sheet).mapped("error_message"))
        self.assertIn("lot/serial is required", errors)
        self.assertIn("Atlantis", errors)
        self.assertEqual(len(self.quarantined(sheet)), 2)

        sheet._sync(full=True)
        self.assertEqual(
            self.env["stock.move"].search_count(
                [("product_id", "=", self.screw.id), ("is_inventory", "=", True)]
            ),
            1,
            "an unchanged count is not applied twice",
        )

        self.emulator.update_cells(sheet_id, rows["screws"], {"Counted": 40})
        self.deliver(sheet_id)
        self.run_jobs()

        self.assertEqual(self.screw.with_context(location=self.stock.id).qty_available, 40)
