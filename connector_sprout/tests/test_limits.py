from datetime import timedelta

from odoo import fields

from odoo.addons.connector_base.models.connector_backend_quota import QUOTA_EXHAUSTED_REASON

from .common import SproutCase

MESSAGES = "/v1/{customer_id}/messages"


class TestQuota(SproutCase):
    """Sprout answers 429 both past its 60 a minute and past its 250,000 a month."""

    def setUp(self):
        super().setUp()
        self.sync_metadata()
        self.tick("ACME")

    def quota_notes(self):
        return self.backend.message_ids.filtered(lambda message: "quota" in (message.body or ""))

    def long_ago(self, minutes):
        return fields.Datetime.now() - timedelta(minutes=minutes)

    def test_a_short_run_of_429s_backs_off_without_pausing(self):
        self.sprout.rate_limit_next(times=2)

        self.poll()
        poll = self.jobs(method_name="_job_poll")
        self.make_due(poll)
        self.run_jobs()

        self.assertEqual(poll.state, "pending", "backed off again")
        self.assertFalse(self.backend.paused)
        self.make_due(poll)
        self.run_jobs()
        self.assertEqual(poll.state, "done")
        self.assertEqual(len(self.messages()), 4)
        self.assertFalse(self.quota_notes())

    def test_a_long_run_of_429s_pauses_the_backend_with_one_note(self):
        self.sprout.rate_limit_all()
        self.poll()
        poll = self.jobs(method_name="_job_poll")
        self.assertEqual(poll.state, "pending")
        self.assertTrue(self.backend.rate_limited_since)
        self.assertFalse(self.backend.paused)

        # Ten minutes of 429s later (the per-minute window would have cleared long ago), the
        # metadata read of the set-up done before them:
        self.jobs(state="done").write({"finished_at": self.long_ago(12)})
        self.backend.rate_limited_since = self.long_ago(11)
        self.make_due(poll)
        self.run_jobs()

        self.assertTrue(self.backend.paused)
        pause = self.env["connector.backend.pause"].search(
            [("backend_model", "=", "sprout.backend"), ("backend_id", "=", self.backend.id)]
        )
        self.assertEqual(pause.reason, QUOTA_EXHAUSTED_REASON)
        self.assertGreater(pause.resume_at, fields.Datetime.now() + timedelta(hours=23))
        self.assertEqual(poll.state, "pending", "the poll waits, nothing lost")
        self.assertEqual(poll.attempts, 1, "the held try costs no attempt")
        note = self.quota_notes()
        self.assertEqual(len(note), 1)
        self.assertIn(self.env.ref("base.user_admin").partner_id, note.partner_ids)
        self.assertFalse(
            self.backend.message_ids.filtered(lambda message: "times in a row" in (message.body or "")),
            "no circuit-breaker note beside it",
        )

        # A person resumes too early: Sprout still refuses, the backend pauses again, no second note.
        self.backend.action_resume()
        self.make_due(poll)
        self.run_jobs()
        self.assertTrue(self.backend.paused)
        self.assertEqual(len(self.quota_notes()), 1)

        # The month turns: the quota is back and the held poll brings the messages.
        self.sprout.faults.clear()
        self.backend.action_resume()
        self.make_due(poll)
        self.run_jobs()
        self.assertEqual(poll.state, "done")
        self.assertEqual(len(self.messages()), 4)

    def test_a_429_after_a_success_starts_a_new_run(self):
        self.backend.rate_limited_since = self.long_ago(60)
        self.poll()  # succeeds: the old run is over
        self.sprout.rate_limit_next()

        self.backend._connector_enqueue_polls()
        self.run_jobs()

        self.assertFalse(self.backend.paused)
        self.assertGreater(self.backend.rate_limited_since, self.long_ago(1))
