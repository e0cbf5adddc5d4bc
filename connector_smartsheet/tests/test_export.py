import json
from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.connector_smartsheet.tests.emulator import CHANGE_AGENT_HEADER, ROWS, TASK_COLUMNS

from .common import SmartsheetCase


@tagged("post_install", "-at_install")
class TestExport(SmartsheetCase):
    def linked(self):
        sheet_id, rows = self.make_task_sheet()
        sheet = self.link(sheet_id)
        self.run_jobs()
        self.emulator.reset()
        return sheet_id, rows, sheet, self.tasks_by_row(sheet)

    def export_jobs(self, sheet):
        return self.env["connector.sync.job"].search(
            [("object_type", "=", sheet.external_type), ("method_name", "=", "_job_export_record")]
        )

    def webhook_jobs(self):
        return self.env["connector.sync.job"].search(
            [
                ("backend_model", "=", "smartsheet.backend"),
                ("backend_id", "=", self.backend.id),
                ("kind", "=", "webhook"),
            ]
        )

    def test_a_task_changed_in_odoo_changes_its_row_with_the_change_agent_and_does_not_echo(self):
        sheet_id, rows, _sheet, tasks = self.linked()

        tasks[rows["Design A"]].write({"name": "Wireframes (Odoo)", "priority": "0"})
        self.run_jobs()

        self.assertEqual(self.emulator.cell(sheet_id, rows["Design A"], "Task Name"), "Wireframes (Odoo)")
        self.assertIs(self.emulator.cell(sheet_id, rows["Design A"], "Flagged"), False)
        [write] = [request for request in self.emulator.requests if request.route == ROWS]
        self.assertEqual(
            (write.method, write.headers[CHANGE_AGENT_HEADER]), ("PUT", self.backend.change_agent)
        )
        # One row: nothing to be partial about; only the two changed cells travel.
        self.assertNotIn("allowPartialSuccess", write.query)
        [row] = json.loads(write.body)
        name, flagged = (self.emulator.column_id(sheet_id, title) for title in ("Task Name", "Flagged"))
        self.assertEqual(
            sorted(row["cells"], key=lambda cell: cell["columnId"]),
            sorted(
                [{"columnId": name, "value": "Wireframes (Odoo)"}, {"columnId": flagged, "value": False}],
                key=lambda cell: cell["columnId"],
            ),
        )

        self.deliver(sheet_id)
        self.assertFalse(self.webhook_jobs(), "the callback about our own change queues nothing")

    def test_the_next_poll_reads_the_exported_row_and_leaves_its_task_untouched(self):
        sheet_id, rows, sheet, tasks = self.linked()
        task = tasks[rows["Design A"]]
        task.write({"name": "Wireframes (Odoo)", "priority": "0"})
        self.run_jobs()
        self.assertEqual(self.emulator.cell(sheet_id, rows["Design A"], "Task Name"), "Wireframes (Odoo)")

        Task = type(self.env["project.task"])
        with patch.object(Task, "write", autospec=True, side_effect=Task.write) as write:
            result = sheet._sync()
        self.assertEqual(result["created"], 0)
        written = [call.args[0].ids for call in write.call_args_list]
        self.assertNotIn([task.id], written, "the row holds what the task holds: nothing to write")
        self.assertEqual(task.name, "Wireframes (Odoo)")

    def test_a_task_moved_to_another_project_stays_there_when_its_row_changes(self):
        sheet_id, rows, sheet, tasks = self.linked()
        task = tasks[rows["Build B review"]]
        elsewhere = self.env["project.project"].create({"name": "Elsewhere"})
        task.write({"project_id": elsewhere.id, "parent_id": False})
        self.run_jobs()

        self.emulator.update_cells(sheet_id, rows["Build B review"], {"Task Name": "Review (renamed)"})
        sheet._sync(full=True)

        self.assertEqual((task.name, task.project_id), ("Review (renamed)", elsewhere))

    def test_computed_columns_are_never_written_back(self):
        sheet_id, rows, _sheet, tasks = self.linked()

        tasks[rows["Design A"]].name = "Renamed"
        self.run_jobs()

        [write] = [request for request in self.emulator.requests if request.route == ROWS]
        written = {cell["columnId"] for cell in write.json[0]["cells"]}
        for title in ("Ticket", "Modified", "Cost"):
            self.assertNotIn(self.emulator.column_id(sheet_id, title), written)

    def test_a_row_smartsheet_refuses_fails_its_own_record_and_the_others_succeed(self):
        sheet_id, rows, sheet, tasks = self.linked()
        self.emulator.delete_row(sheet_id, rows["Build B review"])
        self.emulator.pending_events.clear()

        (tasks[rows["Design A"]] | tasks[rows["Build B review"]] | tasks[rows["Build A"]]).write(
            {"priority": "1"}
        )
        self.run_jobs()

        jobs = {job.payload["binding_id"]: job for job in self.export_jobs(sheet)}
        bindings = self.env["connector.external.binding"].search(
            [("external_type", "=", sheet.external_type)]
        )
        by_row = {int(binding.external_id): binding.id for binding in bindings}
        refused = jobs[by_row[rows["Build B review"]]]
        self.assertEqual(refused.state, "failed")
        self.assertRegex(
            refused.error_message,
            rf"Smartsheet refused row {rows['Build B review']}, column \w+: Not Found \(refId \w+\)",
        )
        self.assertEqual(jobs[by_row[rows["Design A"]]].state, "done")
        self.assertEqual(jobs[by_row[rows["Build A"]]].state, "done")
        self.assertIs(self.emulator.cell(sheet_id, rows["Build A"], "Flagged"), True)
        self.assertEqual(self.emulator.count(ROWS, "PUT"), 1, "the three rows went in one call")

    def test_exports_go_500_rows_per_call(self):
        sheet_id = self.emulator.add_sheet("Big plan", TASK_COLUMNS)
        self.emulator.load_rows(sheet_id, [({"Task Name": f"Task {index}"}, None) for index in range(501)])
        sheet = self.link(sheet_id)
        self.run_jobs()
        tasks = self.env["project.task"].browse([task.id for task in self.tasks_by_row(sheet).values()])
        self.emulator.reset()

        tasks.write({"priority": "1"})
        self.run_jobs()

        self.assertEqual(self.emulator.count(ROWS, "PUT"), 2)
        self.assertEqual(
            [len(request.json) for request in self.emulator.requests if request.route == ROWS], [500, 1]
        )
        self.assertEqual(set(self.export_jobs(sheet).mapped("state")), {"done"})

    def test_a_new_task_gets_a_row_under_its_parent_after_its_previous_sibling(self):
        sheet_id, rows, sheet, tasks = self.linked()
        design = tasks[rows["Design"]]

        new = self.env["project.task"].create(
            {"name": "Design C", "project_id": self.project.id, "parent_id": design.id, "sequence": 6}
        )
        self.run_jobs()

        [row_id] = [
            int(b.external_id) for b in new.connector_binding_ids if b.external_type == sheet.external_type
        ]
        smartsheet = self.emulator.sheets[sheet_id]
        row = smartsheet.row(row_id)
        self.assertEqual(row.parent_id, rows["Design"])
        self.assertEqual(smartsheet.position(row_id), smartsheet.position(rows["Design B review"]) + 1)
        self.assertEqual(self.emulator.cell(sheet_id, row_id, "Task Name"), "Design C")
        [add] = [request for request in self.emulator.requests if request.route == ROWS]
        self.assertEqual(add.json[0]["siblingId"], rows["Design B"])
        self.deliver(sheet_id)
        self.assertFalse(self.webhook_jobs())

    def test_a_task_moved_to_another_parent_moves_its_row(self):
        sheet_id, rows, _sheet, tasks = self.linked()

        tasks[rows["Build A"]].parent_id = tasks[rows["Design"]]
        self.run_jobs()

        smartsheet = self.emulator.sheets[sheet_id]
        self.assertEqual(smartsheet.row(rows["Build A"]).parent_id, rows["Design"])
        self.assertEqual(
            smartsheet.row(rows["Build A review"]).parent_id, rows["Build A"], "children move along"
        )

    def test_deleting_a_bound_task_deletes_its_row_when_the_backend_says_so(self):
        sheet_id, rows, _sheet, tasks = self.linked()
        self.backend.deleted_record_policy = "delete"

        tasks[rows["Build B review"]].unlink()
        self.run_jobs()

        self.assertIsNone(self.emulator.sheets[sheet_id].row(rows["Build B review"]))

    def test_deleting_a_bound_task_leaves_its_row_by_default(self):
        sheet_id, rows, _sheet, tasks = self.linked()

        tasks[rows["Build B review"]].unlink()
        self.run_jobs()

        self.assertIsNotNone(self.emulator.sheets[sheet_id].row(rows["Build B review"]))

    def test_a_sheet_linked_for_import_only_gets_nothing_back(self):
        sheet_id, rows = self.make_task_sheet()
        sheet = self.link(sheet_id, direction="import")
        self.run_jobs()
        self.emulator.reset()

        self.tasks_by_row(sheet)[rows["Design A"]].name = "Odoo only"
        self.env["project.task"].create({"name": "Odoo only too", "project_id": self.project.id})
        self.run_jobs()

        self.assertEqual(self.emulator.count(ROWS), 0)
        self.assertEqual(self.emulator.cell(sheet_id, rows["Design A"], "Task Name"), "Design A")
