from odoo.tests import tagged

from odoo.addons.connector_smartsheet.tests.emulator import VERSION

from .common import SmartsheetCase


@tagged("post_install", "-at_install")
class TestPolling(SmartsheetCase):
    """The sheets' polling goes through the base's poll jobs: a version probe per sheet."""

    def jobs(self, method_name):
        return self.env["connector.sync.job"].search(
            [
                ("backend_model", "=", self.backend._name),
                ("backend_id", "=", self.backend.id),
                ("method_name", "=", method_name),
                ("state", "=", "pending"),
            ]
        )

    def test_the_cron_only_queues_one_poll_job_per_imported_sheet(self):
        sheet_id, _rows = self.make_task_sheet()
        self.link(sheet_id)
        self.run_jobs()
        self.emulator.reset()

        self.env["smartsheet.backend"]._cron_connector_poll()
        self.env["smartsheet.backend"]._cron_connector_poll()

        polls = self.jobs("_job_poll")
        self.assertEqual(polls.mapped("payload"), [{"container": str(sheet_id)}])
        self.assertEqual(self.emulator.api_calls(), 0, "the cron itself calls nothing")

    def test_an_unchanged_sheet_costs_one_version_probe_and_queues_nothing(self):
        sheet_id, _rows = self.make_task_sheet()
        self.link(sheet_id)
        self.run_jobs()
        self.emulator.reset()

        result = self.backend._connector_poll_container(str(sheet_id))

        self.assertEqual(result["skipped"], 1)
        self.assertEqual(self.emulator.api_calls(), 1)
        self.assertEqual(self.emulator.count(VERSION, "GET"), 1)
        self.assertFalse(self.jobs("_job_sync_sheet"))

    def test_a_changed_version_queues_the_sheet_sync_once_and_the_change_is_imported(self):
        sheet_id, rows = self.make_task_sheet()
        sheet = self.link(sheet_id)
        self.run_jobs()
        self.emulator.update_cells(sheet_id, rows["Build B"], {"Task Name": "Build B (polled)"})

        self.backend._connector_poll_container(str(sheet_id))
        again = self.backend._connector_poll_container(str(sheet_id))

        self.assertEqual(len(self.jobs("_job_sync_sheet")), 1)
        self.assertEqual(again["created"], 0, "the same version is claimed once")
        self.run_jobs()
        self.assertEqual(self.tasks_by_row(sheet)[rows["Build B"]].name, "Build B (polled)")
        self.emulator.reset()
        self.assertEqual(self.backend._connector_poll_container(str(sheet_id))["skipped"], 1)
        self.assertFalse(self.jobs("_job_sync_sheet"))
