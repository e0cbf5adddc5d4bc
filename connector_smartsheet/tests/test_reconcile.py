from odoo.tests import tagged

from odoo.addons.connector_base.lib.sync import FROM_CONNECTOR

from .common import SmartsheetCase


@tagged("post_install", "-at_install")
class TestReconciliation(SmartsheetCase):
    def reconcile(self):
        self.env["connector.backend.mixin"]._cron_reconcile_backends()
        self.run_jobs()
        return {
            difference.external_id: difference
            for difference in self.env["connector.reconcile.difference"].search(
                [("backend_id", "=", self.backend.id), ("state", "=", "open")]
            )
        }

    def test_rows_diverged_on_either_side_are_listed_and_fixed(self):
        sheet_id, rows = self.make_task_sheet()
        sheet = self.link(sheet_id)
        self.run_jobs()
        self.assertEqual(self.reconcile(), {}, "a fresh import agrees with the sheet")
        tasks = self.tasks_by_row(sheet)
        # Smartsheet side: a change whose callback never arrives; a row deleted the same way.
        self.emulator.update_cells(sheet_id, rows["Design A"], {"Task Name": "Renamed in Smartsheet"})
        self.emulator.delete_row(sheet_id, rows["Build B review"])
        # Odoo side: a change that was never exported.
        tasks[rows["Build A"]].with_context(**{FROM_CONNECTOR: True}).name = "Renamed in Odoo"
        self.emulator.pending_events.clear()

        found = self.reconcile()

        self.assertEqual(
            {row_id: found[str(row_id)].kind for row_id in map(int, found)},
            {
                rows["Design A"]: "content",
                rows["Build A"]: "content",
                rows["Build B review"]: "missing_on_platform",
            },
        )
        found[str(rows["Design A"])].action_reimport()
        found[str(rows["Build A"])].action_reexport()
        found[str(rows["Build B review"])].action_unbind()
        self.run_jobs()

        self.assertEqual(tasks[rows["Design A"]].name, "Renamed in Smartsheet")
        self.assertEqual(self.emulator.cell(sheet_id, rows["Build A"], "Task Name"), "Renamed in Odoo")
        self.assertFalse(self.tasks_by_row(sheet, [rows["Build B review"]]))
        self.assertEqual(self.reconcile(), {}, "nothing differs once fixed")
        # The unbound task is a task of the project without a row: the next sync adds one,
        # which agrees with its task though it was never imported.
        sheet.action_sync_now()
        self.run_jobs()
        [new_row] = tasks[rows["Build B review"]]._connector_bindings(self.backend).mapped("external_id")
        self.assertIn(int(new_row), [row.id for row in self.emulator.sheets[sheet_id].rows])
        self.assertEqual(self.reconcile(), {})
