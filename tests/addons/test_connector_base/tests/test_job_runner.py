import gc
import threading
from datetime import datetime, timedelta

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import DummyRLock, Registry
from odoo.tools import mute_logger

from odoo.addons.connector_base.lib.errors import ServerError
from odoo.addons.connector_base.tests.common import ConnectorCase

SILENCE = ("odoo.addons.connector_base.models.connector_sync_job",)


class TestJobRunner(ConnectorCase):
    def test_a_successful_job_is_done_with_its_result_and_timings(self):
        backend_id = self.make_committed_backend()
        [job_id] = self.enqueue_committed(backend_id, "_job_record_execution")
        self.assertEqual(self.run_committed(), 1)
        with self.committed_env() as env:
            job = env["connector.sync.job"].browse(job_id)
            self.assertRecordValues(job, [{"state": "done", "attempts": 1, "records_created": 1}])
            self.assertEqual(job.result_summary, "1 created")
            self.assertTrue(job.started_at and job.finished_at and job.worker)
            self.assertGreaterEqual(job.finished_at, job.started_at)
            self.assertEqual(env["test.connector.execution"].search_count([("job_id", "=", job_id)]), 1)

    def test_a_job_runs_with_the_older_objects_frozen_and_hands_them_back(self):
        backend_id = self.make_committed_backend()
        [job_id] = self.enqueue_committed(backend_id, "_job_report_frozen_objects")
        self.assertEqual(gc.get_freeze_count(), 0)
        self.assertEqual(self.run_committed(), 1)
        summary = self.read_jobs([job_id], ["result_summary"])[job_id]["result_summary"]
        frozen = int(summary.removeprefix("frozen "))
        self.assertGreater(frozen, 1000, "Odoo's objects, out of the collector's sight")
        self.assertEqual(gc.get_freeze_count(), 0, "handed back to the collector once the job ended")

    def test_a_quarantined_job_run_by_the_runner_retries_the_family_waiting_for_it(self):
        backend_id = self.make_committed_backend()
        [parent, child, stranger] = self.enqueue_committed(
            backend_id, "_job_noop", count=3, object_type="card"
        )
        with self.committed_env() as env:
            jobs = env["connector.sync.job"].browse([parent, child, stranger])
            jobs[0].write({"quarantine": True, "external_id": "c1"})
            jobs[1:].write({"quarantine": True, "state": "failed"})
            jobs[1].parent_external_id = "c1"
            jobs[2].parent_external_id = "c9"
        self.assertEqual(self.run_committed(), 2, "the parent, then the child it released")
        states = self.read_jobs([parent, child, stranger], ["state"])
        self.assertEqual(
            [states[job_id]["state"] for job_id in (parent, child, stranger)], ["done", "done", "failed"]
        )

    def test_runner_runs_jobs_by_priority_then_due_time(self):
        backend_id = self.make_committed_backend()
        low = self.enqueue_committed(backend_id, "_job_record_execution", priority=20)
        high = self.enqueue_committed(backend_id, "_job_record_execution", priority=1)
        self.run_committed(max_jobs=1)
        states = self.read_jobs(low + high, ["state"])
        self.assertEqual(states[high[0]]["state"], "done")
        self.assertEqual(states[low[0]]["state"], "pending")

    def test_runner_leaves_jobs_not_yet_due(self):
        backend_id = self.make_committed_backend()
        later = datetime.now() + timedelta(hours=1)
        [job_id] = self.enqueue_committed(backend_id, "_job_noop", eta=later)
        self.assertEqual(self.run_committed(), 0)
        self.assertEqual(self.read_jobs([job_id])[job_id]["state"], "pending")

    def test_runner_stops_at_its_time_budget(self):
        backend_id = self.make_committed_backend()
        job_ids = self.enqueue_committed(backend_id, "_job_noop", count=3)
        self.assertEqual(self.run_committed(time_budget=0), 0)
        self.assertEqual({row["state"] for row in self.read_jobs(job_ids).values()}, {"pending"})

    @mute_logger(*SILENCE)
    def test_a_failing_job_rolls_back_its_own_work_only(self):
        backend_id = self.make_committed_backend()
        [failing] = self.enqueue_committed(backend_id, "_job_fail_with_server_error", priority=1)
        [working] = self.enqueue_committed(backend_id, "_job_record_execution", priority=2)
        self.assertEqual(self.run_committed(), 2)
        states = self.read_jobs([failing, working])
        self.assertEqual(states[failing]["state"], "pending")
        self.assertEqual(states[working]["state"], "done")
        with self.committed_env() as env:
            executions = env["test.connector.execution"].search([("job_id", "in", [failing, working])])
            self.assertEqual(executions.job_id.ids, [working], "the failed job's writes were rolled back")

    @mute_logger(*SILENCE)
    def test_retryable_errors_back_off_exponentially_with_jitter(self):
        backend_id = self.make_committed_backend()
        [job_id] = self.enqueue_committed(backend_id, "_job_fail_with_server_error")
        delays = []
        for _attempt in range(3):
            before = datetime.now()
            self.run_committed()
            row = self.read_jobs([job_id])[job_id]
            self.assertEqual(row["state"], "pending")
            delays.append((row["next_attempt_at"] - before).total_seconds())
            with self.committed_env() as env:  # make it due again without waiting
                env["connector.sync.job"].browse(job_id).next_attempt_at = before - timedelta(seconds=1)
        # base 30 s, doubling, plus up to 25 % jitter
        for delay, base in zip(delays, (30, 60, 120), strict=True):
            self.assertGreaterEqual(delay, base - 1)
            self.assertLessEqual(delay, base * 1.25 + 1)
        self.assertEqual(self.read_jobs([job_id], ["attempts"])[job_id]["attempts"], 3)

    @mute_logger(*SILENCE)
    def test_a_job_another_job_held_up_runs_again_soon_at_no_attempts_cost(self):
        backend_id = self.make_committed_backend()
        [job_id] = self.enqueue_committed(backend_id, "_job_fail_concurrently")
        fields = ("state", "attempts", "next_attempt_at", "platform_failure")
        for _try in range(3):
            before = datetime.now()
            self.run_committed()
            row = self.read_jobs([job_id], fields)[job_id]
            self.assertEqual((row["state"], row["attempts"], row["platform_failure"]), ("pending", 0, False))
            self.assertGreaterEqual((row["next_attempt_at"] - before).total_seconds(), 9)
            self.assertLessEqual((row["next_attempt_at"] - before).total_seconds(), 12)
            with self.committed_env() as env:
                cron = env.ref("connector_base.ir_cron_run_sync_jobs")
                wake = env["ir.cron.trigger"].search([("cron_id", "=", cron.id), ("call_at", ">", before)])
                self.assertTrue(wake, "the runner is woken when the job is due again")
            with self.committed_env() as env:  # due again without waiting
                env["connector.sync.job"].browse(job_id).next_attempt_at = before - timedelta(seconds=1)

    @mute_logger(*SILENCE)
    def test_a_job_yielding_for_over_an_hour_retries_like_any_other(self):
        backend_id = self.make_committed_backend()
        [job_id] = self.enqueue_committed(backend_id, "_job_fail_concurrently")
        self.run_committed()
        fields = ("state", "attempts", "platform_failure", "yielding_since")
        first = self.read_jobs([job_id], fields)[job_id]
        self.assertEqual((first["attempts"], bool(first["yielding_since"])), (0, True))
        with self.committed_env() as env:
            env["connector.sync.job"].browse(job_id).write(
                {
                    "yielding_since": first["yielding_since"] - timedelta(hours=2),
                    "next_attempt_at": datetime.now() - timedelta(seconds=1),
                }
            )

        self.run_committed()

        row = self.read_jobs([job_id], fields)[job_id]
        self.assertEqual(
            (row["state"], row["attempts"], row["platform_failure"], row["yielding_since"]),
            ("pending", 1, False, False),
            "an attempt spent, the platform not blamed, the patience started again",
        )

    @mute_logger(*SILENCE)
    def test_retry_after_sent_by_the_platform_is_honoured(self):
        backend_id = self.make_committed_backend()
        [job_id] = self.enqueue_committed(backend_id, "_job_fail_rate_limited")
        before = datetime.now()
        self.run_committed()
        row = self.read_jobs([job_id])[job_id]
        self.assertEqual(row["state"], "pending")
        self.assertGreaterEqual((row["next_attempt_at"] - before).total_seconds(), 599)

    @mute_logger(*SILENCE)
    def test_permanent_errors_fail_at_once_with_an_actionable_message(self):
        backend_id = self.make_committed_backend()
        [job_id] = self.enqueue_committed(backend_id, "_job_fail_object_access")
        self.run_committed()
        row = self.read_jobs([job_id], ["state", "attempts", "error_message", "error_class"])[job_id]
        self.assertEqual((row["state"], row["attempts"]), ("failed", 1))
        self.assertIn("may not see object 42", row["error_message"])
        self.assertIn("PermissionDeniedError", row["error_class"])

    @mute_logger(*SILENCE)
    def test_a_job_out_of_attempts_becomes_a_visible_dead_letter(self):
        backend_id = self.make_committed_backend()
        [job_id] = self.enqueue_committed(backend_id, "_job_fail_with_server_error")
        with self.committed_env() as env:
            env["connector.sync.job"].browse(job_id).max_attempts = 2
        for _attempt in range(2):
            with self.committed_env() as env:
                env["connector.sync.job"].browse(job_id).next_attempt_at = datetime.now() - timedelta(
                    seconds=1
                )
            self.run_committed()
        row = self.read_jobs([job_id])[job_id]
        self.assertEqual((row["state"], row["attempts"]), ("failed", 2))
        self.assertIn("Gave up after 2 attempts", row["error_message"])
        self.assertIn("503", row["error_message"])

    def test_two_cursors_never_claim_the_same_job(self):
        backend_id = self.make_committed_backend()
        job_ids = self.enqueue_committed(backend_id, "_job_noop", count=2)
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            claimed_a = api.Environment(cr_a, SUPERUSER_ID, {})["connector.sync.job"]._claim_next()
            claimed_b = api.Environment(cr_b, SUPERUSER_ID, {})["connector.sync.job"]._claim_next()
            self.assertTrue(claimed_a and claimed_b)
            self.assertNotEqual(claimed_a.job_id, claimed_b.job_id)
            self.assertEqual(sorted([claimed_a.job_id, claimed_b.job_id]), sorted(job_ids))
            # Both are locked or running now: a third worker finds nothing.
            with self.registry.cursor() as cr_c:
                self.assertIsNone(api.Environment(cr_c, SUPERUSER_ID, {})["connector.sync.job"]._claim_next())

    def test_a_job_waits_while_another_job_of_its_serial_key_runs(self):
        backend_id = self.make_committed_backend()
        first, second = self.enqueue_committed(backend_id, "_job_noop", count=2, serial_key="board:1")
        [other] = self.enqueue_committed(backend_id, "_job_noop", serial_key="board:2")
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            Job_a = api.Environment(cr_a, SUPERUSER_ID, {})["connector.sync.job"]
            Job_b = api.Environment(cr_b, SUPERUSER_ID, {})["connector.sync.job"]
            self.assertEqual(Job_a._claim_next().job_id, first)
            cr_a.commit()
            self.assertEqual(Job_b._claim_next().job_id, other, "the other board's job runs meanwhile")
            cr_b.commit()
            self.assertIsNone(Job_b._claim_next(), "the second job of board 1 waits")
            cr_b.commit()
            Job_a.browse(first)._mark_done({}, 0.0, False)
            cr_a.commit()
            self.assertEqual(Job_b._claim_next().job_id, second)
            Job_b._release_liveness_lock(other)
            Job_b._release_liveness_lock(second)
            cr_b.commit()
        attempts = self.read_jobs([second], ["attempts"])[second]["attempts"]
        self.assertEqual(attempts, 1, "waiting cost no attempt")

    def test_two_cursors_claiming_jobs_of_one_serial_key_at_once_claim_one(self):
        backend_id = self.make_committed_backend()
        first, second = self.enqueue_committed(backend_id, "_job_noop", count=2, serial_key="board:1")
        self.patch(Registry, "_lock", DummyRLock())
        claimed = []
        with self.registry.cursor() as cr_a:
            # A claim of the first job in flight: written, not committed, so invisible to the other.
            cr_a.execute("UPDATE connector_sync_job SET state = 'running' WHERE id = %s", [first])

            def claim_other():
                with self.registry.cursor() as cr_b:
                    Job_b = api.Environment(cr_b, SUPERUSER_ID, {})["connector.sync.job"]
                    claimed.append(Job_b._claim_next())

            other = threading.Thread(target=claim_other)
            other.start()
            other.join(1)
            self.assertTrue(other.is_alive(), "the other claim waits for the first one's commit")
            cr_a.commit()
            other.join(30)
        self.assertEqual(claimed, [None], "claiming again, it sees the first claim and takes nothing")
        rows = self.read_jobs([first, second], ["state", "attempts"])
        self.assertEqual((rows[first]["state"], rows[second]["state"]), ("running", "pending"))
        self.assertEqual(rows[second]["attempts"], 0, "waiting cost no attempt")

    @mute_logger(*SILENCE)
    def test_a_failed_job_queued_again_while_it_ran_gives_way_to_the_pending_one(self):
        backend_id = self.make_committed_backend()
        [failed_id] = self.enqueue_committed(backend_id, "_job_noop", identity_key="import:1")
        with self.registry.cursor() as cr:
            Job = api.Environment(cr, SUPERUSER_ID, {})["connector.sync.job"]
            self.assertEqual(Job._claim_next().job_id, failed_id)
            cr.commit()  # pylint: disable=invalid-commit
            [again_id] = self.enqueue_committed(backend_id, "_job_noop", identity_key="import:1")
            # A retryable failure would put it back: its key is held by the job queued again.
            Job.browse(failed_id)._mark_failed(ServerError("platform answered 503", status=503), "", 0.0)
            Job._release_liveness_lock(failed_id)
            cr.commit()  # pylint: disable=invalid-commit
        rows = self.read_jobs([failed_id, again_id], ["state"])
        self.assertEqual((rows[failed_id]["state"], rows[again_id]["state"]), ("cancelled", "pending"))

    def test_a_job_claimed_and_committed_is_not_claimed_again(self):
        backend_id = self.make_committed_backend()
        [job_id] = self.enqueue_committed(backend_id, "_job_noop")
        with self.registry.cursor() as cr_a:
            self.assertEqual(
                api.Environment(cr_a, SUPERUSER_ID, {})["connector.sync.job"]._claim_next().job_id, job_id
            )
        with self.registry.cursor() as cr_b:
            self.assertIsNone(api.Environment(cr_b, SUPERUSER_ID, {})["connector.sync.job"]._claim_next())
        self.assertEqual(self.read_jobs([job_id], ["state", "attempts"])[job_id]["attempts"], 1)

    def test_parallel_runners_execute_each_job_exactly_once(self):
        backend_id = self.make_committed_backend()
        job_ids = self.enqueue_committed(backend_id, "_job_record_execution", count=40)
        counts = []
        # Each worker's environment looks the registry up, under the lock Odoo's own test
        # runner holds while it installs modules (as Odoo's threaded tests do).
        self.patch(Registry, "_lock", DummyRLock())

        def worker():
            with self.registry.cursor() as cr:
                counts.append(api.Environment(cr, SUPERUSER_ID, {})["connector.sync.job"]._run_due_jobs())

        threads = [threading.Thread(target=worker) for _index in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.assertEqual(sum(counts), 40)
        with self.committed_env() as env:
            executions = env["test.connector.execution"].search([("job_id", "in", job_ids)])
            self.assertEqual(len(executions), 40)
            self.assertEqual(sorted(executions.job_id.ids), sorted(job_ids))
            self.assertEqual(set(env["connector.sync.job"].browse(job_ids).mapped("state")), {"done"})

    @mute_logger(*SILENCE)
    def test_secrets_never_reach_the_job_error_or_traceback(self):
        backend_id = self.make_committed_backend()
        with self.committed_env() as env:
            env["test.connector.backend"].browse(backend_id).api_token = "tok-SECRET-123456"
        [job_id] = self.enqueue_committed(backend_id, "_job_leak_secret")
        self.run_committed()
        row = self.read_jobs([job_id], ["error_message", "error_traceback", "state"])[job_id]
        self.assertEqual(row["state"], "pending")
        self.assertIn("GET /me", row["error_message"])
        self.assertNotIn("SECRET-123456", row["error_message"])
        self.assertNotIn("SECRET-123456", row["error_traceback"])

    def test_deleting_a_backend_cancels_its_queued_jobs(self):
        backend_id = self.make_committed_backend()
        [job_id] = self.enqueue_committed(backend_id, "_job_noop")
        with self.committed_env() as env:
            env["test.connector.backend"].browse(backend_id).unlink()
        self.assertEqual(self.run_committed(), 0)
        self.assertEqual(self.read_jobs([job_id], ["state"])[job_id]["state"], "cancelled")

    def test_a_job_whose_backend_vanished_meanwhile_fails_permanently(self):
        backend_id = self.make_committed_backend()
        [job_id] = self.enqueue_committed(backend_id, "_job_describe_backend")
        with self.committed_env() as env:
            env.cr.execute("DELETE FROM test_connector_backend WHERE id = %s", [backend_id])
        with mute_logger(*SILENCE):
            self.run_committed()
        row = self.read_jobs([job_id], ["state", "error_class"])[job_id]
        self.assertEqual(row["state"], "failed")
        self.assertIn("MissingError", row["error_class"])
