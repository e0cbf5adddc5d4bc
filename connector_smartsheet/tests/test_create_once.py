from odoo.tests import tagged

from odoo.addons.connector_base.lib.errors import NetworkError
from odoo.addons.connector_base.tests.common import LOST_ANSWER_HOLD, call_losing_its_answer
from odoo.addons.connector_smartsheet.tests.emulator import ROWS

from .common import SmartsheetCase


@tagged("post_install", "-at_install")
class TestRowCreateOnce(SmartsheetCase):
    def setUp(self):
        super().setUp()
        self.sheet_id, self.rows = self.make_task_sheet()
        self.sheet = self.link(self.sheet_id)
        self.run_jobs()
        self.emulator.reset()
        self.design = self.tasks_by_row(self.sheet)[self.rows["Design"]]

    def new_task(self, name, **values):
        return self.env["project.task"].create({"name": name, "project_id": self.project.id, **values})

    def rows_named(self, name):
        return [
            row.id
            for row in self.emulator.sheets[self.sheet_id].rows
            if self.emulator.cell(self.sheet_id, row.id, "Task Name") == name
        ]

    def row_of(self, task):
        return [
            int(b.external_id)
            for b in task.connector_binding_ids
            if b.external_type == self.sheet.external_type
        ]

    def test_rows_whose_add_answer_was_lost_are_bound_not_added_again(self):
        first = self.new_task("Order toner", parent_id=self.design.id)
        second = self.new_task("Call the printer vendor", parent_id=self.design.id)
        # Smartsheet adds the rows, then its answer is held past the client's read timeout.
        held = self.emulator.faults.add(hold=LOST_ANSWER_HOLD, route=ROWS, method="POST")
        lost = call_losing_its_answer(self.sheet._export_new_records, self.backend, "_smartsheet_client")
        self.assertIsInstance(lost, NetworkError, "the lost answer was not raised")
        self.assertTrue(held.holding.is_set())
        self.assertEqual(len(self.rows_named("Order toner")), 1)
        self.assertEqual(self.row_of(first), [])
        adds = self.emulator.count(ROWS, "POST")

        self.run_jobs()  # the queued add, as its retry

        self.assertEqual(self.emulator.count(ROWS, "POST"), adds, "not added again")
        self.assertEqual(self.row_of(first), self.rows_named("Order toner"))
        self.assertEqual(self.row_of(second), self.rows_named("Call the printer vendor"))

    def test_an_add_that_died_before_calling_smartsheet_adds_the_row(self):
        task = self.new_task("Book the venue")
        # An earlier attempt recorded its intent and died before the call.
        self.env["connector.create.intent"]._open(self.backend, self.sheet.external_type, task)

        self.run_jobs()

        [row_id] = self.rows_named("Book the venue")
        self.assertEqual(self.row_of(task), [row_id])

    def test_a_row_of_the_same_name_bound_to_another_task_is_not_taken(self):
        first = self.new_task("Weekly backup")
        self.run_jobs()
        [bound_row] = self.rows_named("Weekly backup")
        second = self.new_task("Weekly backup")
        self.env["connector.create.intent"]._open(self.backend, self.sheet.external_type, second)

        self.run_jobs()

        rows = self.rows_named("Weekly backup")
        self.assertEqual(len(rows), 2)
        self.assertEqual(self.row_of(first), [bound_row])
        self.assertEqual(self.row_of(second), [row for row in rows if row != bound_row])
