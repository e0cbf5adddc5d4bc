from datetime import datetime, timedelta

from odoo.tools import mute_logger

from odoo.addons.connector_base.models.connector_backend_health import CIRCUIT_BREAKER_REASON
from odoo.addons.connector_base.tests.common import ConnectorCase

SILENCE = ("odoo.addons.connector_base.models.connector_sync_job",)


class TestBackendHealth(ConnectorCase):
    def test_health_figures_follow_the_jobs(self):
        ok = self.backend._connector_enqueue("_job_noop")
        ok.write({"state": "done", "finished_at": datetime.now() - timedelta(minutes=5)})
        self.backend._connector_enqueue("_job_noop")
        failing = self.backend._connector_enqueue("_job_noop")
        failing.write(
            {
                "state": "failed",
                "error_class": "x.ServerError",
                "platform_failure": True,
                "finished_at": datetime.now(),
            }
        )
        self.backend.invalidate_recordset()
        self.assertEqual(self.backend.queue_depth, 1)
        self.assertEqual(self.backend.failures_24h, 1)
        self.assertEqual(self.backend.consecutive_failures, 1)
        self.assertEqual(self.backend.last_success_at, ok.finished_at)

    def test_health_check_reports_missing_credentials_then_passes(self):
        self.backend.action_check_health()
        self.assertEqual(self.backend.health_state, "error")
        self.assertIn("secrets are missing", self.backend.health_message)
        self.backend.write({"api_token": "tok", "app_secret": "sec"})
        self.backend.action_check_health()
        self.assertEqual(self.backend.health_state, "ok")
        self.assertTrue(self.backend.connected)

    def test_health_check_flags_jobs_the_runner_left_behind(self):
        self.backend.write({"api_token": "tok", "app_secret": "sec"})
        late = self.backend._connector_enqueue("_job_noop")
        late.next_attempt_at = datetime.now() - timedelta(hours=1)
        self.backend.action_check_health()
        self.assertEqual(self.backend.health_state, "error")
        self.assertIn("overdue", self.backend.health_message)

    @mute_logger(*SILENCE)
    def test_repeated_platform_failures_open_the_circuit_breaker(self):
        backend_id = self.make_committed_backend()
        with self.committed_env() as env:
            env["ir.config_parameter"].set_param("connector_base.circuit_breaker_threshold", "3")
        self.addCleanup(self._reset_threshold)
        failing = self.enqueue_committed(backend_id, "_job_fail_with_server_error", count=3)
        [waiting] = self.enqueue_committed(backend_id, "_job_noop", priority=99)
        self.assertEqual(self.run_committed(), 3, "the breaker opens after the third failure")
        self.assertEqual(self.read_jobs([waiting], ["state"])[waiting]["state"], "pending")
        with self.committed_env() as env:
            backend = env["test.connector.backend"].browse(backend_id)
            self.assertTrue(backend.paused)
            pause = env["connector.backend.pause"].search(
                [("backend_model", "=", backend._name), ("backend_id", "=", backend_id)]
            )
            self.assertEqual(pause.reason, CIRCUIT_BREAKER_REASON)
            self.assertGreater(pause.resume_at, datetime.now() + timedelta(minutes=14))
            note = backend.message_ids.filtered(
                lambda message: "failed 3 times in a row" in (message.body or "")
            )
            self.assertTrue(note, "connector managers are told")
            self.assertIn(env.ref("base.user_admin").partner_id, note.partner_ids)
        self.assertEqual(len(failing), 3)

    @mute_logger(*SILENCE)
    def test_the_circuit_breaker_closes_after_its_cool_down(self):
        backend_id = self.make_committed_backend()
        [job_id] = self.enqueue_committed(backend_id, "_job_noop")
        with self.committed_env() as env:
            backend = env["test.connector.backend"].browse(backend_id)
            backend.action_pause(reason=CIRCUIT_BREAKER_REASON, resume_at=datetime.now() + timedelta(hours=1))
        self.assertEqual(self.run_committed(), 0)
        with self.committed_env() as env:
            env["connector.backend.pause"].search([("backend_id", "=", backend_id)]).resume_at = (
                datetime.now() - timedelta(seconds=1)
            )
            self.assertFalse(env["test.connector.backend"].browse(backend_id).paused)
        self.assertEqual(self.run_committed(), 1)
        self.assertEqual(self.read_jobs([job_id], ["state"])[job_id]["state"], "done")

    def test_a_successful_health_check_closes_the_circuit_breaker(self):
        self.backend.write({"api_token": "tok", "app_secret": "sec"})
        self.backend.action_pause(
            reason=CIRCUIT_BREAKER_REASON, resume_at=datetime.now() + timedelta(hours=1)
        )
        self.backend.action_pause(object_type="row", reason="by hand")
        self.backend.action_check_health()
        self.assertFalse(self.backend.paused)
        remaining = self.env["connector.backend.pause"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(remaining.reason, "by hand", "only the breaker's pause is lifted")

    def _reset_threshold(self):
        with self.committed_env() as env:
            env["ir.config_parameter"].set_param("connector_base.circuit_breaker_threshold", "5")
