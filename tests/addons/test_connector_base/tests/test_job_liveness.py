import contextlib
import select
import time
from datetime import datetime, timedelta

import psycopg2

from odoo import SUPERUSER_ID, api
from odoo.tools import mute_logger

from odoo.addons.connector_base import job_runner
from odoo.addons.connector_base.job_runner import CHANNEL
from odoo.addons.connector_base.models.connector_sync_job_runner import LIVENESS_LOCK_NAMESPACE
from odoo.addons.connector_base.tests.common import ConnectorCase

SILENCE = ("odoo.addons.connector_base.models.connector_sync_job",)


class TestJobLiveness(ConnectorCase):
    """A running job is held by its worker's database session, and comes back when it ends."""

    def claim_in_own_session(self):
        """Claim the next job as a worker would, in a session of its own, left open."""
        cr = self.registry.cursor()
        self.addCleanup(self.end_session, cr)
        claim = api.Environment(cr, SUPERUSER_ID, {})["connector.sync.job"]._claim_next()
        cr.commit()  # pylint: disable=invalid-commit
        return cr, claim

    @staticmethod
    def end_session(cr):
        # The session may be dead already; a live one gives its locks back before the pool keeps it.
        with contextlib.suppress(psycopg2.Error), mute_logger("odoo.sql_db"):
            cr.rollback()
            cr.execute("SELECT pg_advisory_unlock_all()")
        with contextlib.suppress(psycopg2.Error):
            cr.close()

    @staticmethod
    def stop_listening(cr):
        cr.execute("UNLISTEN *")
        cr.commit()  # pylint: disable=invalid-commit
        cr.close()

    def terminate(self, cr):
        pid = cr._cnx.get_backend_pid()
        with self.committed_env() as env:
            env.cr.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with self.committed_env() as env:
                env.cr.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
                if not env.cr.fetchone():
                    return
            time.sleep(0.05)
        self.fail(f"session {pid} was still there 10 s after pg_terminate_backend")

    def sweep(self):
        with self.committed_env() as env:
            return env["connector.sync.job"]._requeue_lost_jobs().ids

    def held_locks(self, job_ids):
        with self.committed_env() as env:
            env.cr.execute(
                """
                SELECT objid::int FROM pg_locks
                 WHERE locktype = 'advisory' AND classid = %s::oid AND objsubid = 2 AND objid::int = ANY(%s)
                """,
                [LIVENESS_LOCK_NAMESPACE, job_ids],
            )
            return [row[0] for row in env.cr.fetchall()]

    @mute_logger(*SILENCE)
    def test_a_job_whose_worker_session_ended_is_requeued_with_its_attempt_counted(self):
        backend_id = self.make_committed_backend()
        [job_id] = self.enqueue_committed(backend_id, "_job_noop")
        worker_cr, claim = self.claim_in_own_session()
        self.assertEqual(claim.job_id, job_id)
        self.assertEqual(self.sweep(), [], "its worker is alive")

        self.terminate(worker_cr)

        self.assertEqual(self.sweep(), [job_id])
        row = self.read_jobs([job_id], ["state", "attempts", "error_class", "next_attempt_at"])[job_id]
        self.assertEqual((row["state"], row["attempts"], row["error_class"]), ("pending", 1, "WorkerLost"))
        self.assertLessEqual(row["next_attempt_at"], datetime.now())
        # Put back, it runs again, and this second attempt counts too.
        self.assertEqual(self.run_committed(), 1)
        self.assertEqual(self.read_jobs([job_id], ["state", "attempts"])[job_id]["attempts"], 2)

    @mute_logger(*SILENCE)
    def test_a_lost_job_queued_again_meanwhile_gives_way_to_the_pending_one(self):
        backend_id = self.make_committed_backend()
        [lost_id] = self.enqueue_committed(backend_id, "_job_noop", identity_key="import:1")
        worker_cr, _claim = self.claim_in_own_session()
        # Running jobs hold no key: the same import can be queued again while it runs.
        [again_id] = self.enqueue_committed(backend_id, "_job_noop", identity_key="import:1")
        self.assertNotEqual(again_id, lost_id)
        self.terminate(worker_cr)

        self.assertEqual(self.sweep(), [lost_id], "the sweep went through, breaking no key")
        rows = self.read_jobs([lost_id, again_id], ["state", "attempts"])
        self.assertEqual(rows[lost_id]["state"], "cancelled")
        self.assertEqual((rows[again_id]["state"], rows[again_id]["attempts"]), ("pending", 0))

    @mute_logger(*SILENCE)
    def test_a_lost_job_out_of_attempts_becomes_a_dead_letter(self):
        backend_id = self.make_committed_backend()
        [job_id] = self.enqueue_committed(backend_id, "_job_noop")
        with self.committed_env() as env:
            env["connector.sync.job"].browse(job_id).max_attempts = 1
        worker_cr, _claim = self.claim_in_own_session()
        self.terminate(worker_cr)

        self.assertEqual(self.sweep(), [job_id])
        row = self.read_jobs([job_id], ["state", "attempts", "error_message"])[job_id]
        self.assertEqual((row["state"], row["attempts"]), ("failed", 1))
        self.assertIn("database session ended", row["error_message"])

    def test_a_job_held_by_a_live_worker_is_never_taken_however_long_it_runs(self):
        backend_id = self.make_committed_backend()
        [job_id] = self.enqueue_committed(backend_id, "_job_noop")
        _worker_cr, claim = self.claim_in_own_session()
        with self.committed_env() as env:
            env["connector.sync.job"].browse(job_id).started_at = datetime.now() - timedelta(days=2)

        self.assertEqual(self.sweep(), [])
        with self.committed_env() as env:
            self.assertIsNone(env["connector.sync.job"]._claim_next(), "nobody else may claim it")
        self.assertEqual(self.read_jobs([job_id], ["state"])[job_id]["state"], "running")
        self.assertEqual(self.held_locks([claim.job_id]), [job_id])

    @mute_logger(*SILENCE)
    def test_the_worker_lets_go_of_each_job_once_its_outcome_is_committed(self):
        backend_id = self.make_committed_backend()
        [done] = self.enqueue_committed(backend_id, "_job_noop", priority=1)
        [failed] = self.enqueue_committed(backend_id, "_job_fail_object_access", priority=2)
        [retried] = self.enqueue_committed(backend_id, "_job_fail_with_server_error", priority=3)
        self.assertEqual(self.run_committed(), 3)
        states = self.read_jobs([done, failed, retried], ["state"])
        self.assertEqual(
            [states[job]["state"] for job in (done, failed, retried)], ["done", "failed", "pending"]
        )
        self.assertEqual(self.held_locks([done, failed, retried]), [])
        self.assertEqual(self.sweep(), [], "finished jobs are not lost jobs")

    @mute_logger(*SILENCE)
    def test_a_queue_setting_changed_elsewhere_applies_to_the_next_job(self):
        """Another server's Settings write reaches this one without a cache invalidation."""
        backend_id = self.make_committed_backend()
        [job_id] = self.enqueue_committed(backend_id, "_job_fail_with_server_error")
        key = "connector_base.retry_base_seconds"
        with self.committed_env() as env:
            self.assertEqual(env["ir.config_parameter"].get_param(key), "30")  # now cached here
            env.cr.execute("UPDATE ir_config_parameter SET value = '600' WHERE key = %s", [key])
        self.addCleanup(self._restore_retry_base)
        before = datetime.now()
        self.run_committed()
        row = self.read_jobs([job_id])[job_id]
        self.assertEqual(row["state"], "pending")
        self.assertGreaterEqual((row["next_attempt_at"] - before).total_seconds(), 599)

    def _restore_retry_base(self):
        with self.committed_env() as env:
            env.cr.execute(
                "UPDATE ir_config_parameter SET value = '30' WHERE key = 'connector_base.retry_base_seconds'"
            )

    def test_runner_threads_are_notified_when_the_enqueue_commits(self):
        backend_id = self.make_committed_backend()
        listener = self.registry.cursor()
        self.addCleanup(self.stop_listening, listener)
        listener.execute(f"LISTEN {CHANNEL}")
        listener.commit()  # pylint: disable=invalid-commit
        connection = listener._cnx

        with self.committed_env() as env:
            env["test.connector.backend"].browse(backend_id)._connector_enqueue("_job_noop")
            env.cr.flush()
            connection.poll()
            self.assertEqual(connection.notifies, [], "nothing before the commit")
        select.select([connection], [], [], 5)
        connection.poll()
        self.assertEqual([note.channel for note in connection.notifies], [CHANNEL])

    def test_no_runner_thread_starts_in_a_test_process(self):
        self.assertFalse(job_runner.wanted_in_this_process())
        self.assertFalse(job_runner.is_running(self.env.cr.dbname))
