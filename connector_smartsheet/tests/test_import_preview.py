from odoo.addons.connector_base.lib.preview import HOLD_FIRST_IMPORT
from odoo.addons.connector_base.tests.common import table_counts
from odoo.addons.connector_smartsheet.tests.emulator import INVENTORY_COLUMNS, MRP_COLUMNS

from .common import SmartsheetCase

# Tables an import writes to: the preview must leave every one as it was.
IMPORT_TABLES = (
    "project_task",
    "project_tags",
    "connector_external_binding",
    "connector_sync_job",
    "mail_message",
)


def refuse_unmatched_assignees(env, external_type):
    """Have a row whose assignee is no Odoo user refused (by default its field is left empty)."""
    env["connector.field.mapping"].search(
        [("external_type", "=", external_type), ("odoo_field", "=", "user_ids")]
    ).smartsheet_unmatched = "refuse"


class TestImportPreview(SmartsheetCase):
    def setUp(self):
        super().setUp()
        self.sheet_id, self.rows = self.make_task_sheet()
        self.emulator.add_row(
            self.sheet_id,
            {"Task Name": "Design C", "Assigned To": "nobody@example.com", "Tags": ["Internal"]},
            parent_id=self.rows["Design"],
        )
        self.env.flush_all()
        linked = (
            self.env["smartsheet.sheet"]
            .with_context(**{HOLD_FIRST_IMPORT: True})
            .create(
                {
                    "backend_id": self.backend.id,
                    "sheet_id": str(self.sheet_id),
                    "name": "Website Launch",
                    "project_id": self.project.id,
                }
            )
        )
        self.sheet = self.env["smartsheet.sheet"].browse(linked.id)
        refuse_unmatched_assignees(self.env, self.sheet.external_type)

    def preview(self):
        calls_before = self.emulator.api_calls()
        action = self.sheet.action_preview_import()
        wizard = self.env["connector.import.preview"].browse(action["res_id"])
        return wizard, self.emulator.api_calls() - calls_before

    def test_linking_for_a_preview_holds_the_first_import_back(self):
        jobs = self.env["connector.sync.job"].search([("method_name", "=", "_job_sync_sheet")])

        self.assertFalse(jobs)
        self.assertTrue(self.sheet.column_ids)

    def test_the_preview_tells_what_the_import_then_does_with_its_api_calls_and_writes_nothing(self):
        before = table_counts(self.env, IMPORT_TABLES)

        wizard, preview_calls = self.preview()

        self.assertEqual(table_counts(self.env, IMPORT_TABLES), before)
        self.assertEqual((wizard.create_count, wizard.update_count, wizard.fail_count), (10, 0, 1))
        [failure] = wizard.problem_ids
        self.assertEqual((failure.kind, failure.reference, failure.field), ("fail", "row 6", "Assignees"))
        self.assertEqual(failure.value, "nobody@example.com")
        self.assertIn("no res.users with email 'nobody@example.com'", failure.reason)
        first = wizard.row_ids[0]
        self.assertEqual((first.kind, first.reference), ("create", "row 1"))
        self.assertIn("Title: Design", first.values_text)
        self.assertIn("Project: Website Launch", first.values_text)
        self.assertIn("Tags: Urgent, Customer", wizard.row_ids[1].values_text)
        self.assertEqual(wizard.api_calls, preview_calls)

        calls_before = self.emulator.api_calls()
        wizard.action_import()
        self.run_jobs()
        import_calls = self.emulator.api_calls() - calls_before

        self.assertLessEqual(preview_calls, import_calls)
        self.assertEqual(len(self.tasks_by_row(self.sheet)), 10)
        quarantined = self.env["connector.sync.job"].search(
            [("method_name", "=", "_job_import_row"), ("state", "=", "failed")]
        )
        self.assertEqual(len(quarantined), 1)

    def test_after_the_import_a_preview_shows_updates(self):
        self.sheet._connector_preview_start_import()
        self.run_jobs()

        wizard, _calls = self.preview()

        self.assertEqual((wizard.create_count, wizard.update_count, wizard.fail_count), (0, 10, 1))

    def test_an_unmatched_assignee_left_empty_is_shown_as_a_lost_value(self):
        self.env["connector.field.mapping"].search(
            [("external_type", "=", self.sheet.external_type), ("odoo_field", "=", "user_ids")]
        ).smartsheet_unmatched = "empty"

        wizard, _calls = self.preview()

        self.assertEqual((wizard.create_count, wizard.fail_count), (11, 0))
        [loss] = wizard.problem_ids
        self.assertEqual((loss.kind, loss.value), ("loss", "nobody@example.com"))

    def test_fixing_the_mapping_and_previewing_again_clears_the_failure(self):
        wizard, _calls = self.preview()
        self.assertEqual(wizard.fail_count, 1)
        assignees = self.env["connector.field.mapping"].search(
            [("external_type", "=", self.sheet.external_type), ("odoo_field", "=", "user_ids")]
        )
        assignees.unlink()

        wizard.action_refresh()

        self.assertEqual((wizard.create_count, wizard.fail_count), (11, 0))
        self.assertFalse(wizard.problem_ids)


class TestImportPreviewTour(SmartsheetCase):
    def test_a_sheet_is_linked_through_the_preview_and_imported_in_the_browser(self):
        sheet_id, rows = self.make_task_sheet()
        self.emulator.add_row(
            sheet_id, {"Task Name": "Design C", "Assigned To": "nobody@example.com"}, parent_id=rows["Design"]
        )
        # Enabling a webhook makes Smartsheet call Odoo back while the browser's request still
        # holds the test's cursor, which test mode serialises: the browser links without one.
        self.backend.use_webhooks = False

        self.start_tour(
            f"/odoo/action-connector_smartsheet.action_smartsheet_backend/{self.backend.id}",
            "connector_smartsheet_import_preview",
            login="admin",
        )
        sheet = self.env["smartsheet.sheet"].search([("sheet_id", "=", str(sheet_id))])
        self.assertEqual(sheet.project_id, self.project)
        self.run_jobs()

        tasks = self.tasks_by_row(sheet)
        self.assertEqual(len(tasks), 11, "the unmatched assignee's row is imported without it")
        self.assertEqual(tasks[rows["Design A"]].user_ids, self.user_ana)


class TestProductionAndInventoryPreview(SmartsheetCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Product = cls.env["product.product"]
        cls.desk = Product.create({"name": "Desk", "default_code": "FURN_8888", "is_storable": True})
        cls.screw = Product.create({"name": "Screw", "default_code": "FURN_7777", "is_storable": True})
        cls.paint = Product.create(
            {"name": "Paint", "default_code": "FURN_9999", "is_storable": True, "tracking": "lot"}
        )

    def preview_of(self, sheet_id, purpose):
        sheet = (
            self.env["smartsheet.sheet"]
            .with_context(**{HOLD_FIRST_IMPORT: True})
            .create(
                {
                    "backend_id": self.backend.id,
                    "sheet_id": str(sheet_id),
                    "name": purpose,
                    "purpose": purpose,
                    "direction": "import",
                }
            )
        )
        wizard = self.env["connector.import.preview"].browse(sheet.action_preview_import()["res_id"])
        return wizard, {line.reference: line for line in wizard.problem_ids}

    def test_a_production_row_naming_no_product_would_fail(self):
        sheet_id = self.emulator.add_sheet("Production Plan", MRP_COLUMNS)
        for order, product in (("Batch 1", "FURN_8888"), ("Batch 2", "NOPE-1")):
            self.emulator.add_row(
                sheet_id, {"Order": order, "Product": product, "Quantity": 2, "Start": "2025-05-02"}
            )

        wizard, problems = self.preview_of(sheet_id, "production")

        self.assertEqual((wizard.create_count, wizard.fail_count), (1, 1))
        self.assertEqual((problems["row 2"].field, problems["row 2"].value), ("Product", "NOPE-1"))
        self.assertEqual(problems["row 2"].reason, "no product with this internal reference or name")
        self.assertIn("Product: [FURN_8888] Desk", wizard.row_ids.values_text)
        self.assertFalse(self.env["mrp.production"].search([]))

    def test_inventory_rows_without_their_lot_or_location_would_fail(self):
        sheet_id = self.emulator.add_sheet("Stock Count", INVENTORY_COLUMNS)
        for values in (
            {"Product": "FURN_7777", "Location": "WH/Stock", "Counted": 42},
            {"Product": "FURN_9999", "Location": "WH/Stock", "Counted": 3},
            {"Product": "FURN_7777", "Location": "Atlantis", "Counted": 1},
        ):
            self.emulator.add_row(sheet_id, values)

        wizard, problems = self.preview_of(sheet_id, "inventory")

        self.assertEqual((wizard.create_count, wizard.fail_count), (1, 2))
        self.assertIn("lot/serial is required", problems["row 2"].reason)
        self.assertEqual((problems["row 3"].field, problems["row 3"].value), ("Location", "Atlantis"))
        self.assertFalse(self.env["smartsheet.inventory.count"].search([]))
