from odoo.tests import tagged

from odoo.addons.connector_smartsheet.models.smartsheet_demo import DEMO_TOKEN

from emulators.smartsheet import load_demo

from .common import SmartsheetCase


@tagged("post_install", "-at_install")
class TestDemoAndUnmatchedContacts(SmartsheetCase):
    def failed_jobs(self):
        return self.env["connector.sync.job"].search(
            [("backend_id", "=", self.backend.id), ("state", "=", "failed")]
        )

    def link_demo_plan(self):
        load_demo(self.emulator)
        plan = next(
            sheet_id for sheet_id, sheet in self.emulator.sheets.items() if sheet.name == "Website Launch"
        )
        sheet = self.link(plan)
        self.run_jobs()
        return plan, sheet

    def test_the_demo_plan_imports_with_no_failed_job_and_lists_its_unmatched_contact(self):
        plan, sheet = self.link_demo_plan()

        self.assertFalse(self.failed_jobs())
        tasks = self.tasks_by_row(sheet)
        self.assertEqual(len(tasks), len(self.emulator.sheets[plan].rows))
        self.assertFalse(any(task.user_ids for task in tasks.values()))
        self.assertEqual(sheet.unmatched_values, "user_ids: owner@example.com")
        by_name = {task.name: task for task in tasks.values()}
        self.assertEqual(
            by_name["Go-live checklist"].depend_on_ids, by_name["Front end"] | by_name["Back end"]
        )

    def test_every_demo_sheet_imports_with_no_failed_job(self):
        load_demo(self.emulator)
        self.emulator.tokens[DEMO_TOKEN] = None
        self.env["smartsheet.backend"]._connector_demo_setup(self.emulator.base_url)
        purposes = {"Website Launch": "task", "Production Plan": "production", "Stock Count": "inventory"}

        for sheet_id, demo_sheet in self.emulator.sheets.items():
            purpose = purposes[demo_sheet.name]
            extra = (
                {} if purpose == "task" else {"purpose": purpose, "direction": "import", "project_id": False}
            )
            self.link(sheet_id, **extra)
        self.run_jobs()

        self.assertFalse(self.failed_jobs())
        linked = self.env["smartsheet.sheet"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(
            sorted(linked.mapped("record_count")),
            sorted(len(sheet.rows) for sheet in self.emulator.sheets.values()),
        )

    def test_a_contact_matching_a_user_is_assigned(self):
        sheet_id, rows = self.make_task_sheet()
        sheet = self.link(sheet_id)
        self.run_jobs()

        self.assertEqual(self.tasks_by_row(sheet)[rows["Design A"]].user_ids, self.user_ana)
        self.assertFalse(sheet.unmatched_values)

    def test_the_refuse_policy_quarantines_the_row(self):
        sheet_id, rows = self.make_task_sheet()
        self.emulator.update_cells(sheet_id, rows["Design A"], {"Assigned To": "ghost@example.com"})
        sheet = self.link(sheet_id)
        mapping = self.env["connector.field.mapping"].search(
            [("external_type", "=", sheet.external_type), ("odoo_field", "=", "user_ids")]
        )
        mapping.smartsheet_unmatched = "refuse"
        self.run_jobs()

        self.assertEqual(sheet.quarantine_count, 2, "the row and its child waiting for it")
        self.assertTrue(any("ghost@example.com" in job.error_message for job in self.failed_jobs()))

    def test_the_partner_policy_makes_the_partner_follow_the_task(self):
        partner = self.env["res.partner"].create({"name": "Ghost", "email": "ghost@example.com"})
        sheet_id, rows = self.make_task_sheet()
        self.emulator.update_cells(sheet_id, rows["Design A"], {"Assigned To": "ghost@example.com"})
        sheet = self.link(sheet_id)
        mapping = self.env["connector.field.mapping"].search(
            [("external_type", "=", sheet.external_type), ("odoo_field", "=", "user_ids")]
        )
        mapping.smartsheet_unmatched = "partner"
        self.run_jobs()

        task = self.tasks_by_row(sheet)[rows["Design A"]]
        self.assertFalse(task.user_ids)
        self.assertIn(partner, task.message_partner_ids)
        self.assertFalse(self.failed_jobs())
