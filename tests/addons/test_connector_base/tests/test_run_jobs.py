from odoo.addons.connector_base.tests.common import ConnectorCase, RunJobsMixin


class TestRunJobs(RunJobsMixin, ConnectorCase):
    """The test kit's ``run_jobs`` runs a backend's due jobs as the runner would."""

    def executions(self, job):
        return self.env["test.connector.execution"].search([("job_id", "=", job.id)])

    def test_due_jobs_run_in_priority_order_each_with_its_outcome(self):
        done = self.backend._connector_enqueue("_job_record_execution", priority=1)
        failed = self.backend._connector_enqueue("_job_fail_object_access", priority=2)
        retried = self.backend._connector_enqueue("_job_fail_with_server_error", priority=3)

        ran = self.run_jobs()

        self.assertEqual(ran.ids, [done.id, failed.id, retried.id], "each once: the retry is not due yet")
        self.assertEqual([done.state, failed.state, retried.state], ["done", "failed", "pending"])
        self.assertEqual(len(self.executions(done)), 1)
        self.assertFalse(self.executions(retried), "a failing job's own work is rolled back")

    def test_nothing_runs_while_the_backend_is_paused(self):
        job = self.backend._connector_enqueue("_job_record_execution")
        self.backend.action_pause(reason="maintenance")

        self.assertFalse(self.run_jobs())
        self.assertEqual(job.state, "pending")

        self.backend.action_resume()
        self.assertEqual(self.run_jobs(), job)
        self.assertEqual(job.state, "done")
