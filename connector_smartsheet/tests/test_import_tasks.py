from datetime import datetime

from odoo.tests import tagged

from odoo.addons.connector_smartsheet.tests.emulator import SHEET, VERSION

from .common import SmartsheetCase


@tagged("post_install", "-at_install")
class TestImportTasks(SmartsheetCase):
    def test_linking_reads_columns_and_proposes_mappings_from_titles_and_types(self):
        sheet_id, _rows = self.make_task_sheet()

        sheet = self.link(sheet_id)

        self.assertEqual(len(sheet.column_ids), 14)
        status = sheet.column_ids.filtered(lambda column: column.name == "Status")
        self.assertEqual(status.options, ["Not Started", "In Progress", "Done"])
        self.assertTrue(
            sheet.column_ids.filtered(lambda column: column.name == "Tags").column_type == "MULTI_PICKLIST"
        )
        mappings = self.env["connector.field.mapping"].search([("external_type", "=", sheet.external_type)])
        by_field = {mapping.odoo_field: mapping for mapping in mappings}
        self.assertEqual(
            sorted(by_field), ["date_deadline", "name", "priority", "stage_id", "tag_ids", "user_ids"]
        )
        self.assertEqual(by_field["name"].smartsheet_column_id.name, "Task Name")
        self.assertEqual(by_field["stage_id"].smartsheet_column_id, status)
        self.assertEqual(
            by_field["stage_id"].value_mapping_ids.mapped("external_value"),
            ["Not Started", "In Progress", "Done"],
        )
        self.assertEqual(set(self.project.type_ids.mapped("name")), {"Not Started", "In Progress", "Done"})
        self.assertEqual(by_field["user_ids"].lookup_by, "email")
        self.assertEqual(by_field["priority"].smartsheet_column_id.name, "Flagged")

    def test_full_import_builds_the_three_level_hierarchy_in_row_order(self):
        sheet_id, rows = self.make_task_sheet()
        sheet = self.link(sheet_id)

        self.run_jobs()

        tasks = self.tasks_by_row(sheet)
        self.assertEqual(len(tasks), 10)
        design, design_a, review = (
            tasks[rows["Design"]],
            tasks[rows["Design A"]],
            tasks[rows["Design A review"]],
        )
        self.assertFalse(design.parent_id)
        self.assertEqual(design_a.parent_id, design)
        self.assertEqual(review.parent_id, design_a)
        self.assertEqual(review.project_id, self.project)
        self.assertEqual(
            [tasks[rows[key]].sequence for key in ("Design", "Design A", "Design A review")], [1, 2, 3]
        )
        self.assertEqual(design_a.name, "Design A")
        self.assertEqual(design_a.stage_id.name, "Not Started")
        self.assertEqual(design.stage_id.name, "In Progress")
        self.assertEqual(design_a.user_ids, self.user_ana)
        self.assertEqual(sorted(design_a.tag_ids.mapped("name")), ["Customer", "Urgent"])
        self.assertEqual(design_a.priority, "1")
        self.assertEqual(tasks[rows["Design B"]].priority, "0")
        self.assertEqual(design_a.date_deadline.date().isoformat(), "2025-04-15")

    def test_full_import_reads_each_page_once(self):
        sheet_id, _rows = self.make_task_sheet()
        self.backend.page_size = 4
        self.link(sheet_id)
        self.emulator.reset()

        self.run_jobs()

        self.assertEqual(self.emulator.count(SHEET, "GET"), 3, "10 rows, 4 per page")
        self.assertEqual(self.emulator.api_calls(), 3)

    def test_unchanged_sheet_costs_one_version_probe_and_no_write(self):
        sheet_id, _rows = self.make_task_sheet()
        sheet = self.link(sheet_id)
        self.run_jobs()
        self.emulator.reset()
        self.env.flush_all()
        self.env.cr.execute("SELECT max(write_date) FROM project_task")
        written = self.env.cr.fetchone()[0]

        result = sheet._sync()

        self.assertEqual(self.emulator.api_calls(), 1)
        self.assertEqual(self.emulator.count(VERSION, "GET"), 1)
        self.assertEqual(result["skipped"], 1)
        self.assertFalse(self.env.cr.precommit.data.get("connector_base.runner_triggers"))
        self.env.cr.execute("SELECT max(write_date) FROM project_task")
        self.assertEqual(self.env.cr.fetchone()[0], written)

    def test_incremental_sync_reads_only_rows_modified_since_the_last_sync(self):
        sheet_id, rows = self.make_task_sheet()
        sheet = self.link(sheet_id)
        self.run_jobs()
        sheet.last_sync_at = datetime(2030, 1, 1)
        changed = self.emulator.sheets[sheet_id].row(rows["Build B"])
        self.emulator.update_cells(sheet_id, rows["Build B"], {"Task Name": "Build B (renamed)"})
        changed.modified_at = changed.modified_at.replace(year=2030, month=6)
        self.emulator.reset()

        result = sheet._sync()

        self.assertEqual(self.emulator.count(VERSION, "GET"), 1)
        self.assertEqual(self.emulator.count(SHEET, "GET"), 1)
        self.assertEqual(self.emulator.requests[1].query["rowsModifiedSince"], "2029-12-31T23:59:00Z")
        self.assertEqual((result["created"], result["updated"]), (0, 1))
        self.assertEqual(self.tasks_by_row(sheet)[rows["Build B"]].name, "Build B (renamed)")

    def test_a_row_failing_validation_is_quarantined_and_the_rest_imports(self):
        sheet_id, rows = self.make_task_sheet()
        self.emulator.update_cells(sheet_id, rows["Build A"], {"Task Name": ""})
        self.emulator.pending_events.clear()
        sheet = self.link(sheet_id)

        self.run_jobs()

        tasks = self.tasks_by_row(sheet)
        self.assertEqual(len(tasks), 8, "the row without a name and its child, whose parent failed, wait")
        quarantined = self.env["connector.sync.job"].search(
            [("method_name", "=", "_job_import_row"), ("object_type", "=", sheet.external_type)]
        )
        self.assertEqual(quarantined.mapped("state"), ["failed", "failed"])
        build_a = quarantined.filtered(lambda job: job.payload["id"] == rows["Build A"])
        row_number = self.emulator.sheets[sheet_id].position(rows["Build A"]) + 1
        self.assertIn(f"row {row_number}", build_a.error_message)
        self.assertIn("Task Name", build_a.error_message)
        self.assertIn("required", build_a.error_message)
        self.assertEqual(sheet.quarantine_count, 2)

        self.emulator.update_cells(sheet_id, rows["Build A"], {"Task Name": "Build A fixed"})
        build_a.action_retry()
        self.run_jobs()

        self.assertEqual(build_a.state, "done")
        tasks = self.tasks_by_row(sheet)
        self.assertEqual(tasks[rows["Build A"]].name, "Build A fixed")
        self.assertEqual(
            tasks[rows["Build A review"]].parent_id, tasks[rows["Build A"]], "the child came along"
        )
        self.assertEqual(sheet.quarantine_count, 0)

    def test_retrying_a_fixed_parent_row_reads_its_waiting_family_in_the_same_call(self):
        sheet_id, rows = self.make_task_sheet()
        self.emulator.update_cells(sheet_id, rows["Build"], {"Task Name": ""})
        self.emulator.pending_events.clear()
        sheet = self.link(sheet_id)
        self.run_jobs()
        self.assertEqual(sheet.quarantine_count, 5, "the phase, its two tasks and their reviews")

        self.emulator.update_cells(sheet_id, rows["Build"], {"Task Name": "Build fixed"})
        self.emulator.pending_events.clear()
        build = self.env["connector.sync.job"].search(
            [("method_name", "=", "_job_import_row"), ("external_id", "=", str(rows["Build"]))]
        )
        build.action_retry()
        self.emulator.reset()
        ran = self.run_jobs()

        self.assertEqual(ran, build, "the family comes with its parent, not one job each")
        self.assertEqual(self.emulator.count(SHEET, "GET"), 1)
        tasks = self.tasks_by_row(sheet)
        self.assertEqual(tasks[rows["Build B review"]].parent_id.parent_id, tasks[rows["Build"]])
        self.assertEqual(sheet.quarantine_count, 0)

    def test_system_and_formula_columns_are_import_only(self):
        sheet_id, _rows = self.make_task_sheet()
        sheet = self.link(sheet_id)
        self.run_jobs()

        writable = sheet.column_ids.filtered("writable").mapped("name")

        self.assertNotIn("Ticket", writable)
        self.assertNotIn("Modified", writable)
        self.assertNotIn("Cost", writable)
        self.assertIn("Task Name", writable)

    def test_deleted_rows_found_by_comparing_row_ids_archive_their_tasks(self):
        sheet_id, rows = self.make_task_sheet()
        sheet = self.link(sheet_id)
        self.run_jobs()
        self.emulator.delete_row(sheet_id, rows["Build B"])

        sheet._sync(full=True)

        tasks = self.tasks_by_row(sheet, rows.values())
        self.assertFalse(tasks[rows["Build B"]].active)
        self.assertFalse(tasks[rows["Build B review"]].active)
        self.assertTrue(tasks[rows["Build A"]].active)

    def test_polling_compares_row_ids_when_the_check_is_due(self):
        sheet_id, rows = self.make_task_sheet()
        sheet = self.link(sheet_id)
        self.run_jobs()
        self.backend.row_check_hours = 24
        sheet.last_row_check_at = sheet.last_sync_at.replace(year=2000)
        self.emulator.delete_row(sheet_id, rows["Design B"])
        self.emulator.reset()

        sheet._sync()

        ids_read = [request for request in self.emulator.requests if request.query.get("columnIds")]
        self.assertEqual(len(ids_read), 1, "one read of the primary column")
        self.assertFalse(self.tasks_by_row(sheet, [rows["Design B"]])[rows["Design B"]].active)
        self.assertEqual(sheet.last_row_check_at, sheet.last_sync_at)

    def test_a_retried_row_imports_even_when_a_waiting_child_still_fails(self):
        sheet_id, rows = self.make_task_sheet()
        self.emulator.update_cells(sheet_id, rows["Build A"], {"Task Name": ""})
        sheet = self.link(sheet_id)
        self.run_jobs()
        self.emulator.update_cells(sheet_id, rows["Build A"], {"Task Name": "Build A fixed"})
        self.emulator.update_cells(sheet_id, rows["Build A review"], {"Task Name": ""})
        Job = self.env["connector.sync.job"]
        retried = Job.search([("method_name", "=", "_job_import_row"), ("state", "=", "failed")]).filtered(
            lambda job: job.payload["id"] == rows["Build A"]
        )

        retried.action_retry()
        self.run_jobs()

        self.assertEqual(retried.state, "done")
        self.assertEqual(self.tasks_by_row(sheet)[rows["Build A"]].name, "Build A fixed")
        [waiting] = Job.search([("method_name", "=", "_job_import_row"), ("state", "=", "failed")])
        self.assertEqual(waiting.payload["id"], rows["Build A review"])
        self.assertIn("Task Name", waiting.error_message)
