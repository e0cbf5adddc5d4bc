from odoo.tests import tagged

from odoo.addons.connector_base.tests.killed_create import KilledCreateCase
from odoo.addons.connector_smartsheet.tests.emulator import ROWS, TASK_COLUMNS, SmartsheetEmulator

TOKEN = "pat-odoo-killed-server-0123456789"


# The servers load the registry of the committed database: at install time the
# connector is not installed there yet.
@tagged("post_install", "-at_install")
class TestRowAddOnAKilledServer(KilledCreateCase):
    def setUp(self):
        super().setUp()
        self.emulator = self.start_emulator(SmartsheetEmulator(tokens=(TOKEN,)))
        self.sheet_id = self.emulator.add_sheet("Office move", TASK_COLUMNS)
        self.pack = self.emulator.add_row(
            self.sheet_id, {"Task Name": "Pack the desks", "Status": "Not Started"}
        )
        with self.committed_env() as env:
            backend = self.keep_for_cleanup(
                env["smartsheet.backend"].create(
                    {
                        "name": "Smartsheet killed server",
                        "region": "custom",
                        "custom_api_url": self.emulator.api_url,
                        "access_token": TOKEN,
                        "use_webhooks": False,
                        "row_check_hours": 0,
                    }
                )
            )
            project = env["project.project"].create({"name": "Office move"})
            self.project_id = project.id
            sheet = env["smartsheet.sheet"].create(
                {
                    "backend_id": backend.id,
                    "sheet_id": str(self.sheet_id),
                    "name": "Office move",
                    "project_id": project.id,
                }
            )
            self.keep_for_cleanup(project)
            self.keep_for_cleanup(sheet)
        self.wait_for_backend_jobs()
        with self.committed_env() as env:
            self.keep_for_cleanup(env["project.task"].search([("project_id", "=", self.project_id)]))

    def rows_named(self, name):
        return [
            row.id
            for row in self.emulator.sheets[self.sheet_id].rows
            if self.emulator.cell(self.sheet_id, row.id, "Task Name") == name
        ]

    def test_a_server_killed_while_smartsheet_adds_the_row_leaves_one_row_and_one_binding(self):
        self.start_second_server()
        adds = self.emulator.count(ROWS, "POST")
        # Smartsheet adds the row and holds its answer until the server running the job is killed.
        held = self.emulator.faults.add(hold=120, route=ROWS, method="POST")
        with self.committed_env() as env:
            task = self.keep_for_cleanup(
                env["project.task"].create({"name": "Label the boxes", "project_id": self.project_id})
            )
            task_id = task.id

        self.kill_the_server_exporting(held)

        rows = self.rows_named("Label the boxes")
        self.assertEqual(len(rows), 1, "one row")
        self.assertEqual(self.emulator.count(ROWS, "POST"), adds + 1, "added once")
        self.assert_created_once("project.task", task_id, str(rows[0]))
