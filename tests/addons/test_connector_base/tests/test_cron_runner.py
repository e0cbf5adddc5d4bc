from odoo.addons.connector_base.tests.common import ConnectorCase


class TestCronRunner(ConnectorCase):
    def test_the_cron_entry_point_runs_jobs_when_parameters_are_not_cached_yet(self):
        backend_id = self.make_committed_backend()
        [job_id] = self.enqueue_committed(backend_id, "_job_noop")

        with self.committed_env() as env:
            # As in a server that just started: reading a parameter queries the database,
            # which must not open the transaction the job claim sets the isolation of.
            env.registry.clear_cache()
            env["connector.sync.job"]._cron_run_jobs()

        self.assertEqual(self.read_jobs([job_id], ["state"])[job_id]["state"], "done")
