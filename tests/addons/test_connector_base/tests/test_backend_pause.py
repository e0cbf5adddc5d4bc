from odoo.modules.neutralize import neutralize_database

from odoo.addons.connector_base.tests.common import ConnectorCase


class TestBackendPause(ConnectorCase):
    def test_a_paused_backend_keeps_its_jobs_queued_until_resumed(self):
        paused_id = self.make_committed_backend("Paused")
        running_id = self.make_committed_backend("Running")
        [paused_job] = self.enqueue_committed(paused_id, "_job_noop")
        [running_job] = self.enqueue_committed(running_id, "_job_noop")
        with self.committed_env() as env:
            env["test.connector.backend"].browse(paused_id).action_pause(reason="maintenance")
        self.run_committed()
        states = self.read_jobs([paused_job, running_job], ["state"])
        self.assertEqual(states[paused_job]["state"], "pending")
        self.assertEqual(states[running_job]["state"], "done")
        with self.committed_env() as env:
            backend = env["test.connector.backend"].browse(paused_id)
            self.assertTrue(backend.paused)
            backend.action_resume()
        self.run_committed()
        self.assertEqual(self.read_jobs([paused_job], ["state"])[paused_job]["state"], "done")

    def test_pausing_one_object_type_leaves_the_others_running(self):
        backend_id = self.make_committed_backend()
        [rows_job] = self.enqueue_committed(backend_id, "_job_noop", object_type="row")
        [cards_job] = self.enqueue_committed(backend_id, "_job_noop", object_type="card")
        with self.committed_env() as env:
            backend = env["test.connector.backend"].browse(backend_id)
            backend.action_pause(object_type="row")
            self.assertFalse(backend.paused, "only one type is paused, not the backend")
        self.run_committed()
        states = self.read_jobs([rows_job, cards_job], ["state"])
        self.assertEqual(states[rows_job]["state"], "pending")
        self.assertEqual(states[cards_job]["state"], "done")
        with self.committed_env() as env:
            env["test.connector.backend"].browse(backend_id).action_resume(object_type="row")
        self.run_committed()
        self.assertEqual(self.read_jobs([rows_job], ["state"])[rows_job]["state"], "done")

    def test_pausing_twice_keeps_one_pause(self):
        self.backend.action_pause()
        self.backend.action_pause()
        pauses = self.env["connector.backend.pause"].search(
            [("backend_model", "=", self.backend._name), ("backend_id", "=", self.backend.id)]
        )
        self.assertEqual(len(pauses), 1)

    def test_a_pause_without_backend_stops_every_backend(self):
        backend_id = self.make_committed_backend()
        [job_id] = self.enqueue_committed(backend_id, "_job_noop")
        with self.committed_env() as env:
            pause_id = env["connector.backend.pause"].create({"reason": "copy of production"}).id
        try:
            self.assertEqual(self.run_committed(), 0)
            with self.committed_env() as env:
                self.assertTrue(env["test.connector.backend"].browse(backend_id).paused)
        finally:
            with self.committed_env() as env:
                env["connector.backend.pause"].browse(pause_id).unlink()
        self.assertEqual(self.run_committed(), 1)
        self.assertEqual(self.read_jobs([job_id], ["state"])[job_id]["state"], "done")

    def test_neutralized_database_loses_secrets_and_pauses_every_backend(self):
        self.backend.api_token = "production-token"
        self.env.flush_all()
        neutralize_database(self.env.cr)
        self.env.invalidate_all()
        self.assertFalse(self.env["connector.credential"].search([]))
        self.assertFalse(self.backend.api_token)
        self.assertTrue(self.backend.paused)
        self.assertTrue(self.env["connector.backend.pause"].search([("backend_model", "=", False)]))
