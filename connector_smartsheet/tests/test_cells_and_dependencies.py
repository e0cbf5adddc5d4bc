import json

from odoo.tests import tagged

from odoo.addons.connector_smartsheet.tests.emulator import ROWS

from .common import SmartsheetCase

LAG = {"objectType": "DURATION", "days": 2}


@tagged("post_install", "-at_install")
class TestCellsAndDependencies(SmartsheetCase):
    def linked(self, **cells_by_title):
        """The three-level plan with some cells changed as a person would, linked and imported."""
        sheet_id, rows = self.make_task_sheet()
        for title, values in cells_by_title.items():
            self.emulator.update_cells(sheet_id, rows[title], values(rows))
        self.emulator.pending_events.clear()
        sheet = self.link(sheet_id)
        self.run_jobs()
        self.emulator.reset()
        return sheet_id, rows, sheet, self.tasks_by_row(sheet)

    def row_writes(self):
        return [json.loads(request.body) for request in self.emulator.requests if request.route == ROWS]

    def export(self, tasks):
        """Queue the export of ``tasks`` as a change would, whatever their mapped values, and run it."""
        bindings = tasks._connector_bindings(self.backend)
        bindings.export_hash = False
        bindings._enqueue_exports()
        self.run_jobs()

    # ------------------------------------------------------------------ hyperlinks
    def test_a_link_cell_imports_its_text_and_an_unchanged_export_sends_nothing(self):
        _sheet_id, rows, _sheet, tasks = self.linked(
            **{"Design A": lambda rows: {"Task Name": {"url": "http://google.com", "text": "Google"}}}
        )
        task = tasks[rows["Design A"]]
        self.assertEqual(task.name, "Google")

        self.export(task)

        self.assertEqual(self.row_writes(), [], "an unchanged task sends nothing")

    def test_an_edited_link_text_is_sent_with_its_url(self):
        _sheet_id, rows, _sheet, tasks = self.linked(
            **{"Design A": lambda rows: {"Task Name": {"url": "http://google.com", "text": "Google"}}}
        )
        sheet_id = next(iter(self.emulator.sheets))
        name = self.emulator.column_id(sheet_id, "Task Name")

        tasks[rows["Design A"]].name = "Google Search"
        self.run_jobs()

        self.assertEqual(
            self.row_writes(),
            [
                [
                    {
                        "id": rows["Design A"],
                        "cells": [
                            {
                                "columnId": name,
                                "value": "Google Search",
                                "hyperlink": {"url": "http://google.com"},
                            }
                        ],
                    }
                ]
            ],
        )
        stored = self.emulator.sheets[sheet_id].row(rows["Design A"]).cells[name]
        self.assertEqual(stored, {"value": "Google Search", "hyperlink": {"url": "http://google.com"}})

    # ------------------------------------------------------------------ images
    def test_an_image_in_one_cell_leaves_its_column_exported(self):
        _sheet_id, _rows, sheet, _tasks = self.linked(
            **{"Design A": lambda rows: {"Notes": {"image": "a.png"}}}
        )

        notes = sheet.column_ids.filtered(lambda column: column.name == "Notes")
        self.assertTrue(notes.writable)
        cost = sheet.column_ids.filtered(lambda column: column.name == "Cost")
        self.assertFalse(cost.writable, "a column formula still makes it read-only")

    # ------------------------------------------------------------------ refused batches
    def test_a_request_refused_for_one_row_fails_that_row_alone_naming_column_and_ref_id(self):
        sheet_id, rows, sheet, tasks = self.linked()
        refused_row = rows["Build B"]
        self.emulator.request_refusals[refused_row] = (
            1235,
            "Value High is not a valid option for column Flagged.",
        )

        (tasks[rows["Design B"]] | tasks[refused_row] | tasks[rows["Design A review"]]).write(
            {"priority": "1"}
        )
        self.run_jobs()

        jobs = self.env["connector.sync.job"].search(
            [("object_type", "=", sheet.external_type), ("method_name", "=", "_job_export_record")]
        )
        by_task = {job.payload["binding_id"]: job for job in jobs}
        bindings = tasks[refused_row]._connector_bindings(self.backend)
        refused = by_task[bindings.id]
        self.assertEqual(refused.state, "failed")
        self.assertRegex(
            refused.error_message,
            rf"row {refused_row}, column Flagged: Value High is not a valid option .* \(refId \w+\)",
        )
        self.assertEqual(sorted((jobs - refused).mapped("state")), ["done", "done"])
        self.assertIs(self.emulator.cell(sheet_id, rows["Design B"], "Flagged"), True)
        self.assertIs(self.emulator.cell(sheet_id, rows["Design A review"], "Flagged"), True)
        self.assertIs(self.emulator.cell(sheet_id, refused_row, "Flagged"), False)

    # ------------------------------------------------------------------ dependencies
    def dependency_sheet(self):
        return self.linked(
            **{
                "Design B": lambda rows: {"Predecessors": [(rows["Design A"], "FS", None)]},
                "Build A": lambda rows: {"Predecessors": [(rows["Design B"], "SS", LAG)]},
            }
        )

    def test_predecessors_become_task_dependencies(self):
        _sheet_id, rows, _sheet, tasks = self.dependency_sheet()

        self.assertTrue(self.project.allow_task_dependencies)
        self.assertEqual(tasks[rows["Design B"]].depend_on_ids, tasks[rows["Design A"]])
        self.assertEqual(tasks[rows["Build A"]].depend_on_ids, tasks[rows["Design B"]])
        self.assertFalse(tasks[rows["Build B"]].depend_on_ids)

    def test_dependencies_changed_in_odoo_are_written_keeping_type_and_lag(self):
        sheet_id, rows, _sheet, tasks = self.dependency_sheet()
        predecessors = self.emulator.column_id(sheet_id, "Predecessors")

        tasks[rows["Build A"]].depend_on_ids |= tasks[rows["Design A"]]
        tasks[rows["Design B"]].depend_on_ids = False
        self.run_jobs()

        self.assertEqual(
            self.emulator.cell(sheet_id, rows["Build A"], "Predecessors"),
            [
                {"rowId": rows["Design B"], "type": "SS", "lag": LAG},
                {"rowId": rows["Design A"], "type": "FS"},
            ],
        )
        self.assertEqual(self.emulator.cell(sheet_id, rows["Design B"], "Predecessors"), [])
        sent = {row["id"]: row["cells"] for body in self.row_writes() for row in body}
        self.assertEqual(sent[rows["Design B"]], [{"columnId": predecessors, "value": None}])

        self.emulator.reset()
        self.export(tasks[rows["Build A"]] | tasks[rows["Design B"]])
        self.assertEqual(self.row_writes(), [], "dependencies already written are not sent again")

    def test_a_predecessor_imported_later_becomes_a_dependency_at_the_next_full_import(self):
        sheet_id, rows, sheet, tasks = self.linked(
            **{
                "Design A": lambda rows: {"Due": "someday"},
                "Design B": lambda rows: {"Predecessors": [(rows["Design A"], "FS", None)]},
            }
        )
        self.assertNotIn(rows["Design A"], tasks, "quarantined: its date is not one")
        self.assertFalse(tasks[rows["Design B"]].depend_on_ids)

        self.emulator.update_cells(sheet_id, rows["Design A"], {"Due": "2025-04-15"})
        self.emulator.pending_events.clear()
        sheet.action_full_import()
        self.run_jobs()

        tasks = self.tasks_by_row(sheet)
        self.assertEqual(tasks[rows["Design B"]].depend_on_ids, tasks[rows["Design A"]])
