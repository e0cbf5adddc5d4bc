from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from odoo.addons.connector_base.models.connector_backend_health import CIRCUIT_BREAKER_REASON
from odoo.addons.connector_base.models.connector_backend_quota import QUOTA_EXHAUSTED_REASON
from odoo.addons.connector_base.tests.common import ConnectorCase, RunJobsMixin


@tagged("post_install", "-at_install")
class TestLongerQuota(RunJobsMixin, ConnectorCase):
    """A backend whose platform has a quota longer than its rate-limit windows."""

    def setUp(self):
        super().setUp()
        patcher = patch.object(
            type(self.backend), "_connector_quota_exhausted_after", lambda backend: 10, create=True
        )
        patcher.start()
        self.addCleanup(patcher.stop)

    def pauses(self):
        return self.env["connector.backend.pause"].search(
            [("backend_model", "=", self.backend._name), ("backend_id", "=", self.backend.id)]
        )

    def notes(self):
        return self.backend.message_ids.filtered(lambda message: "quota" in (message.body or ""))

    def fail_again(self, jobs):
        jobs.write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
        self.run_jobs()

    def test_rate_limits_count_towards_the_quota_not_the_circuit_breaker(self):
        self.env["ir.config_parameter"].set_param("connector_base.circuit_breaker_threshold", "2")
        jobs = self.backend._connector_enqueue("_job_fail_rate_limited")
        jobs |= self.backend._connector_enqueue("_job_fail_rate_limited")

        self.run_jobs()
        self.fail_again(jobs)

        self.assertFalse(self.pauses().filtered(lambda pause: pause.reason == CIRCUIT_BREAKER_REASON))
        self.assertFalse(self.backend.paused, "a run shorter than the quota's minutes backs off")
        self.assertTrue(self.backend.rate_limited_since)
        self.assertEqual(set(jobs.mapped("state")), {"pending"})

    def test_a_long_run_pauses_once_with_one_note_and_holds_the_job(self):
        job = self.backend._connector_enqueue("_job_fail_rate_limited")
        self.run_jobs()
        attempts = job.attempts
        self.backend.rate_limited_since = fields.Datetime.now() - timedelta(minutes=11)

        self.fail_again(job)

        self.assertEqual(self.pauses().reason, QUOTA_EXHAUSTED_REASON)
        self.assertEqual((job.state, job.attempts), ("pending", attempts))
        self.assertEqual(len(self.notes()), 1)
        self.backend.action_resume()
        self.fail_again(job)
        self.assertTrue(self.backend.paused)
        self.assertEqual(len(self.notes()), 1, "the same run: no second note")

    def test_a_success_ends_the_run(self):
        self.backend.rate_limited_since = fields.Datetime.now() - timedelta(minutes=30)
        self.backend._connector_enqueue("_job_noop")
        self.run_jobs()
        job = self.backend._connector_enqueue("_job_fail_rate_limited")

        self.run_jobs()

        self.assertFalse(self.backend.paused)
        self.assertEqual(job.state, "pending")
        self.assertGreater(self.backend.rate_limited_since, fields.Datetime.now() - timedelta(minutes=1))

    def test_a_platform_without_a_longer_quota_keeps_the_circuit_breaker(self):
        with patch.object(type(self.backend), "_connector_quota_exhausted_after", lambda backend: None):
            self.env["ir.config_parameter"].set_param("connector_base.circuit_breaker_threshold", "2")
            self.backend._connector_enqueue("_job_fail_rate_limited")
            self.backend._connector_enqueue("_job_fail_rate_limited")
            self.run_jobs()
        self.assertEqual(self.pauses().reason, CIRCUIT_BREAKER_REASON)
        self.assertFalse(self.backend.rate_limited_since)
