"""End-to-end test helpers: Odoo and the Smartsheet emulator talking over real HTTP.

The emulator calls Odoo's webhook route (verification challenges, signed
callbacks) while the test waits on it, so helpers flush the test's writes
before any call out and forget the cache after Odoo's HTTP thread has written.
"""

from odoo.tests import HttpCase

from odoo.addons.connector_base.tests.common import EmulatorRequestsMixin, RunJobsMixin
from odoo.addons.connector_smartsheet.tests.emulator import TASK_COLUMNS, SmartsheetEmulator

TOKEN = "pat-odoo-e2e-0123456789"


class SmartsheetCase(RunJobsMixin, EmulatorRequestsMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.emulator = SmartsheetEmulator(tokens=(TOKEN,))
        cls.emulator.start()
        cls.addClassCleanup(cls.emulator.stop)
        cls.backend = cls.env["smartsheet.backend"].create(
            {
                "name": "Smartsheet E2E",
                "region": "custom",
                "custom_api_url": cls.emulator.api_url,
                "access_token": TOKEN,
                "public_base_url": cls.base_url(),
                "row_check_hours": 0,
            }
        )
        cls.project = cls.env["project.project"].create({"name": "Website Launch"})
        cls.user_ana = cls.env["res.users"].create(
            {"name": "Ana Silva", "login": "ana", "email": "ana@example.com"}
        )

    def setUp(self):
        super().setUp()
        self.emulator.clear()

    # ------------------------------------------------------------------ sheets
    def make_task_sheet(self, name="Website Launch"):
        """A three-level plan: 2 phases of 2 tasks of 1 subtask; returns (sheet id, {title: row id})."""
        sheet_id = self.emulator.add_sheet(name, TASK_COLUMNS)
        rows = {}
        for phase in ("Design", "Build"):
            rows[phase] = self.emulator.add_row(sheet_id, {"Task Name": phase, "Status": "In Progress"})
            for task in ("A", "B"):
                title = f"{phase} {task}"
                rows[title] = self.emulator.add_row(
                    sheet_id,
                    {
                        "Task Name": title,
                        "Status": "Not Started",
                        "Due": "2025-04-15",
                        "Assigned To": "ana@example.com",
                        "Tags": ["Urgent", "Customer"],
                        "Flagged": task == "A",
                        "Hours": 3,
                        "Cost": {"formula": "=[Hours]@row * 80", "value": 240},
                    },
                    parent_id=rows[phase],
                )
                rows[f"{title} review"] = self.emulator.add_row(
                    sheet_id, {"Task Name": f"Review {title}", "Status": "Done"}, parent_id=rows[title]
                )
        self.emulator.pending_events.clear()
        return sheet_id, rows

    def link(self, sheet_id, **values):
        """Link a sheet as the discover wizard does (columns, mappings, webhook, first import)."""
        self.env.flush_all()
        sheet = self.env["smartsheet.sheet"].create(
            {
                "backend_id": self.backend.id,
                "sheet_id": str(sheet_id),
                "name": self.emulator.sheets[sheet_id].name,
                "project_id": self.project.id,
                **values,
            }
        )
        self.env.invalidate_all()
        return sheet

    def deliver(self, sheet_id):
        """Send the sheet's pending events to Odoo; every callback must be accepted."""
        self.env.flush_all()
        responses = self.emulator.deliver_callbacks(sheet_id)
        self.env.invalidate_all()
        self.assertTrue(responses, "no webhook callback was sent")
        for response in responses:
            self.assertEqual(response.status_code, 200, response.text)
        return responses

    # ------------------------------------------------------------------ reading Odoo
    def tasks_by_row(self, sheet, row_ids=None):
        """{row id: task} of the sheet's rows (or of ``row_ids``, deleted ones included)."""
        if row_ids is None:
            row_ids = [row.id for row in self.emulator.sheets[int(sheet.sheet_id)].rows]
        bound = (
            self.env["project.task"]
            .with_context(active_test=False)
            ._connector_find(self.backend, sheet.external_type, [str(row_id) for row_id in row_ids])
        )
        return {int(row_id): task for row_id, task in bound.items()}
