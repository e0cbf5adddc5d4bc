import json
from unittest.mock import patch

from odoo.tests import HttpCase, tagged

from odoo.addons.connector_base.lib.errors import AuthenticationError, ConcurrencyError, ServerError
from odoo.addons.connector_base.lib.polling import Polled, PolledEvent
from odoo.addons.connector_base.tests.common import PrivateRateLimitsMixin, run_jobs

from ..models.test_connector_oauth_backend import WEBHOOK_SIGNATURE

SECRET = "whsec-poll-0123456789"
ROUTE = "/connector/test/webhook/{}"


def action(action_id):
    return {"id": action_id, "card": "c1", "title": f"Title of {action_id}"}


@tagged("post_install", "-at_install")
class TestPolling(PrivateRateLimitsMixin, HttpCase):
    """Polling is the webhook's path started from a cursor: in a job, one call when idle, applied once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = cls.env["test.connector.oauth.backend"].create(
            {"name": "Polled backend", "webhook_secret": SECRET, "platform_actions": [action("a1")]}
        )

    def setUp(self):
        super().setUp()
        self.backend.public_base_url = self.base_url()

    def deliver(self, change):
        """The platform's webhook delivery of ``change``, signed, over HTTP."""
        raw = json.dumps({"id": change["id"], "change": change}).encode()
        url = self.base_url() + ROUTE.format(self.backend.id)
        headers = {
            "Content-Type": "application/json",
            "X-Test-Webhook": WEBHOOK_SIGNATURE.sign(SECRET, raw, url),
        }
        self.env.flush_all()
        response = self.opener.post(url, data=raw, headers=headers, timeout=10)
        self.env.invalidate_all()
        self.assertEqual(response.status_code, 200, response.text)
        return response.text

    def run_jobs(self):
        return run_jobs(self.backend)

    def platform_calls(self):
        """Counts the polls' platform calls (the stand-in reads its change log in one)."""
        Backend = type(self.backend)
        return patch.object(Backend, "_connector_poll", autospec=True, side_effect=Backend._connector_poll)

    def poll(self):
        self.backend._connector_enqueue_polls()
        return self.run_jobs()

    def cursor(self):
        return self.env["connector.poll.cursor"].search(
            [("backend_model", "=", self.backend._name), ("backend_id", "=", self.backend.id)]
        )

    def test_a_change_delivered_by_webhook_then_polled_is_applied_once(self):
        self.assertIn("accepted", self.deliver(action("a1")))

        self.poll()

        self.assertEqual(self.backend.applied_changes, ["a1"])
        self.assertEqual(self.cursor().cursor, "a1")

    def test_a_change_polled_then_delivered_by_webhook_is_applied_once(self):
        self.poll()

        self.assertIn("duplicate", self.deliver(action("a1")))
        self.run_jobs()

        self.assertEqual(self.backend.applied_changes, ["a1"])

    def test_the_poll_applies_what_no_webhook_delivered_from_its_cursor_on(self):
        self.poll()
        self.backend.platform_actions = [action("a1"), action("a2"), action("a3")]
        self.deliver(action("a2"))

        self.poll()

        self.assertEqual(self.backend.applied_changes, ["a1", "a2", "a3"])
        self.assertEqual(self.cursor().cursor, "a3")

    def test_nothing_new_costs_one_call_and_writes_nothing(self):
        self.poll()
        self.env.flush_all()
        statements = []
        execute = self.env.cr.execute

        def spy(query, params=None, log_exceptions=True):
            statements.append(str(getattr(query, "code", query)).lstrip().split()[0].upper())
            return execute(query, params, log_exceptions)

        with self.platform_calls() as calls, patch.object(self.env.cr, "execute", spy):
            result = self.backend._connector_poll_container("board")
            self.env.flush_all()

        self.assertEqual(result["summary"], "Nothing changed.")
        self.assertEqual([verb for verb in statements if verb in ("INSERT", "UPDATE", "DELETE")], [])
        self.assertEqual(self.cursor().cursor, "a1")
        self.assertEqual(self.backend.applied_changes, ["a1"])
        self.assertEqual(calls.call_count, 1)

    def test_the_cron_only_queues_poll_jobs_and_skips_held_backends(self):
        held = self.backend.copy({"name": "Held", "platform_actions": [action("a1")]})
        held.action_pause(reason="held by a person")

        with self.platform_calls() as calls:
            self.env["test.connector.oauth.backend"]._cron_connector_poll()
            self.backend._connector_enqueue_polls()  # deduplicated while pending

        jobs = self.env["connector.sync.job"].search([("method_name", "=", "_job_poll")])
        self.assertEqual(jobs.mapped("backend_id"), [self.backend.id])
        self.assertEqual(jobs.state, "pending")
        self.assertEqual(calls.call_count, 0, "no platform call in the cron's transaction")

    def test_a_refused_credential_holds_the_poll_and_a_platform_failure_counts_for_the_breaker(self):
        with patch.object(
            type(self.backend),
            "_connector_poll",
            side_effect=AuthenticationError("invalid token", status=401),
        ):
            [held] = self.poll()
        self.assertEqual(held.state, "pending")
        self.assertTrue(self.backend.needs_reauthorization)
        self.assertTrue(self.backend.paused)

        self.backend._connector_credentials_accepted()
        with patch.object(type(self.backend), "_connector_poll", side_effect=ServerError("down", status=503)):
            [failing] = self.run_jobs()
        self.assertEqual((failing.state, failing.platform_failure), ("pending", True))
        self.assertFalse(self.backend.applied_changes)

    def test_deleting_a_backend_forgets_its_cursors(self):
        self.poll()
        cursor = self.cursor()

        self.backend.unlink()

        self.assertFalse(cursor.exists())

    def webhook_jobs(self):
        return self.env["connector.sync.job"].search(
            [("backend_id", "=", self.backend.id), ("method_name", "=", "_job_webhook_event")]
        )

    def test_a_poll_that_applies_what_it_reads_queues_no_job(self):
        self.backend.write({"poll_applies": True, "platform_actions": [action("a1"), action("a2")]})

        [poll] = self.poll()

        self.assertEqual(self.backend.applied_changes, ["a1", "a2"])
        self.assertEqual(self.backend.poll_reads, [{"after": None}] * 2, "what the poll read, handed over")
        self.assertFalse(self.webhook_jobs())
        self.assertEqual((poll.state, poll.records_updated), ("done", 2))
        self.assertEqual(poll.result_summary, "2 change(s) applied: 0 new, 2 updated, 0 unchanged.")
        self.assertEqual(self.cursor().cursor, "a2")

    def test_a_change_failing_in_the_poll_fails_it_and_its_retry_queues_each_change_alone(self):
        bad = {**action("a2"), "bad": True}
        self.backend.write({"poll_applies": True, "platform_actions": [action("a1"), bad, action("a3")]})

        [poll] = self.poll()

        self.assertEqual(poll.state, "pending", "retried")
        self.assertIn("ValueError: change a2 holds a value nothing maps", poll.error_message)
        self.assertFalse(self.backend.applied_changes, "what the poll applied is rolled back")
        self.assertFalse(self.cursor().cursor, "and its cursor with it")
        poll.next_attempt_at = poll.create_date

        self.run_jobs()

        self.assertEqual(poll.state, "done")
        self.assertEqual(self.backend.applied_changes, ["a1", "a3"])
        jobs = self.webhook_jobs()
        self.assertEqual(len(jobs), 3)
        failing = jobs.filtered(lambda job: job.state != "done")
        self.assertEqual(len(failing), 1, "the bad change fails alone (and retries as its job's own)")
        self.assertIn("change a2 holds a value nothing maps", failing.error_message)
        self.assertEqual(
            [sorted(job.payload) for job in jobs], [["change", "id"]] * 3, "a queued change holds no read"
        )
        self.assertFalse(self.backend.poll_reads, "the jobs apply the payload alone")
        self.assertEqual(self.cursor().cursor, "a3")

    def test_a_change_that_must_wait_for_another_job_keeps_the_poll_applying(self):
        self.backend.write({"poll_applies": True})
        Backend = type(self.backend)
        with patch.object(Backend, "_test_apply_change", side_effect=ConcurrencyError("held elsewhere")):
            [poll] = self.poll()
        self.assertEqual((poll.state, poll.attempts), ("pending", 0), "yields at no attempt's cost")
        poll.next_attempt_at = poll.create_date

        self.run_jobs()

        self.assertEqual(poll.state, "done")
        self.assertEqual(self.backend.applied_changes, ["a1"])
        self.assertFalse(self.webhook_jobs(), "applied by the poll itself, not queued")

    def test_a_poll_may_read_its_events_as_it_takes_them_and_name_its_cursor_after(self):
        self.backend.poll_applies = True
        read = []

        def events():
            for action_id in ("a1", "a2"):
                read.append(action_id)
                yield PolledEvent(action_id, {"id": action_id, "change": action(action_id)})

        def cursor():
            self.assertEqual(self.backend.applied_changes, ["a1", "a2"], "asked once every event is taken")
            return "a2"

        def poll(backend, container, cursor_before):
            return Polled(cursor, events())

        with patch.object(type(self.backend), "_connector_poll", autospec=True, side_effect=poll):
            [job] = self.poll()

        self.assertEqual(read, ["a1", "a2"])
        self.assertEqual((job.state, job.records_updated), ("done", 2))
        self.assertEqual(self.cursor().cursor, "a2")
