import threading
from datetime import timedelta

import psycopg2

from odoo import SUPERUSER_ID, api, fields
from odoo.tools import mute_logger

from odoo.addons.connector_base.tests.common import ConnectorCase


class TestSyncJobQueue(ConnectorCase):
    def test_enqueue_creates_a_pending_job_with_its_context(self):
        job = self.backend._connector_enqueue(
            "_job_noop", {"sheet": 42}, kind="export", object_type="row", priority=3
        )
        self.assertRecordValues(
            job,
            [
                {
                    "state": "pending",
                    "kind": "export",
                    "backend_model": "test.connector.backend",
                    "backend_id": self.backend.id,
                    "backend_label": "Test backend",
                    "object_type": "row",
                    "priority": 3,
                    "attempts": 0,
                    "payload": {"sheet": 42},
                }
            ],
        )
        self.assertEqual(job.backend_ref, self.backend)
        self.assertTrue(job.correlation_id)
        self.assertEqual(job.max_attempts, 5)

    def test_enqueue_with_a_pending_identity_key_returns_the_existing_job(self):
        first = self.backend._connector_enqueue("_job_noop", identity_key="card:1")
        second = self.backend._connector_enqueue("_job_noop", identity_key="card:1")
        other = self.backend._connector_enqueue("_job_noop", identity_key="card:2")
        self.assertEqual(first, second)
        self.assertNotEqual(first, other)
        first.state = "done"
        self.env.flush_all()
        third = self.backend._connector_enqueue("_job_noop", identity_key="card:1")
        self.assertNotEqual(third, first, "a key is only held while its job is pending")

    def test_identity_keys_are_scoped_per_backend(self):
        other_backend = self.env["test.connector.backend"].create({"name": "Other"})
        one = self.backend._connector_enqueue("_job_noop", identity_key="card:1")
        two = other_backend._connector_enqueue("_job_noop", identity_key="card:1")
        self.assertNotEqual(one, two)

    def test_a_batch_keeps_each_jobs_values_and_drops_repeated_keys(self):
        shared = self.env["test.connector.backend"].create({"name": "Shared", "company_id": False})
        later = fields.Datetime.now() + timedelta(hours=2)
        vals_list = [
            self.backend._connector_job_values("_job_noop", {"n": 1}, identity_key="k", priority=1),
            self.backend._connector_job_values("_job_noop", {"n": 2}, identity_key="k"),
            shared._connector_job_values("_job_noop", {"n": 3}, object_type="row", eta=later),
        ]
        jobs = self.env["connector.sync.job"]._enqueue(vals_list)
        self.assertRecordValues(
            jobs,
            [
                {"payload": {"n": 1}, "priority": 1, "company_id": self.backend.company_id.id},
                {"payload": {"n": 3}, "priority": 10, "company_id": False},
            ],
        )
        self.assertEqual(jobs[1].next_attempt_at, later)
        self.assertEqual(jobs[1].object_type, "row")

    def test_a_guarded_enqueue_stores_its_jobs_only_when_the_guard_returns_a_row(self):
        Job = self.env["connector.sync.job"]
        Event = self.env["connector.webhook.event"]
        vals_list = [self.backend._connector_job_values("_job_noop", {"n": n}) for n in (1, 2)]
        jobs, claimed = Job._enqueue_guarded(vals_list, Event._claim_sql(self.backend, "evt-1"))
        self.assertTrue(claimed)
        self.assertEqual(jobs.mapped("payload"), [{"n": 1}, {"n": 2}])
        again, claimed = Job._enqueue_guarded(vals_list, Event._claim_sql(self.backend, "evt-1"))
        self.assertFalse(claimed)
        self.assertFalse(again)
        self.assertEqual(Job.search_count(self.backend._job_domain()), 2)
        # No job to store: the guard still runs, so the event is remembered.
        nothing, claimed = Job._enqueue_guarded([], Event._claim_sql(self.backend, "evt-2"))
        self.assertTrue(claimed)
        self.assertFalse(nothing)
        self.assertFalse(Job._enqueue_guarded([], Event._claim_sql(self.backend, "evt-2"))[1])

    def test_enqueue_refuses_handlers_outside_the_job_prefix(self):
        with self.assertRaisesRegex(ValueError, "_job_"):
            self.backend._connector_enqueue("unlink")

    def test_enqueue_refuses_payloads_carrying_secrets(self):
        with self.assertRaisesRegex(ValueError, "access_token"):
            self.backend._connector_enqueue("_job_noop", {"card": 1, "auth": {"access_token": "abc"}})

    def test_enqueue_finds_a_secret_key_deep_in_a_page_of_objects(self):
        page = [{"id": number, "from": {"name": "Ana"}} for number in range(50)]
        page[37]["from"]["meta"] = [{"client_secret": "abc"}]
        with self.assertRaisesRegex(ValueError, r"\(keys: client_secret\)"):
            self.backend._connector_enqueue("_job_noop", {"messages": page})
        self.backend._connector_enqueue("_job_noop", {"messages": page[:37]})

    def test_enqueue_wakes_the_runner_cron_once_per_transaction(self):
        cron = self.env.ref("connector_base.ir_cron_run_sync_jobs")
        # Tests that commit leave triggers behind (no cron runs during tests): one due
        # trigger already pending would rightly make the enqueue below add none.
        self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]).unlink()
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
        self.backend._connector_enqueue("_job_noop")
        self.backend._connector_enqueue("_job_noop")
        new = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]) - triggers
        self.assertEqual(len(new), 1)

    def test_concurrent_enqueue_of_one_key_keeps_a_single_pending_job(self):
        backend_id = self.make_committed_backend()
        key = f"test.connector.backend,{backend_id}:race"
        outcome = {}
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a = api.Environment(cr_a, SUPERUSER_ID, {})
            env_b = api.Environment(cr_b, SUPERUSER_ID, {})
            env_b["connector.sync.job"].search_count([])  # take B's snapshot before A commits
            job_a = (
                env_a["test.connector.backend"]
                .browse(backend_id)
                ._connector_enqueue("_job_noop", identity_key="race")
            )

            def enqueue_b():
                try:
                    outcome["b"] = (
                        env_b["test.connector.backend"]
                        .browse(backend_id)
                        ._connector_enqueue("_job_noop", identity_key="race")
                        .ids
                    )
                except psycopg2.errors.SerializationFailure:
                    outcome["b"] = "serialization failure"
                    cr_b.rollback()

            thread = threading.Thread(target=enqueue_b)
            with mute_logger("odoo.sql_db"):
                thread.start()
                thread.join(0.5)
                self.assertTrue(thread.is_alive(), "B must wait on A's uncommitted key")
                cr_a.commit()
                thread.join(10)
            cr_b.rollback()
            # B lost the race: the database refused a second pending job. Its retry finds A's job.
            self.assertEqual(outcome["b"], "serialization failure")
            retried = (
                env_b["test.connector.backend"]
                .browse(backend_id)
                ._connector_enqueue("_job_noop", identity_key="race")
            )
            self.assertEqual(retried.ids, job_a.ids)
            cr_b.commit()
        with self.committed_env() as env:
            count = env["connector.sync.job"].search_count(
                [("identity_key", "=", key), ("state", "=", "pending")]
            )
        self.assertEqual(count, 1)

    def test_retry_requeues_failed_jobs_with_fresh_attempts(self):
        job = self.backend._connector_enqueue("_job_noop")
        job.write({"state": "failed", "attempts": 5, "error_message": "boom"})
        job.action_retry()
        self.assertRecordValues(job, [{"state": "pending", "attempts": 0}])

    def test_retry_of_a_job_superseded_by_a_pending_one_cancels_it(self):
        failed = self.backend._connector_enqueue("_job_noop", identity_key="row:9")
        failed.write({"state": "failed"})
        self.env.flush_all()
        pending = self.backend._connector_enqueue("_job_noop", identity_key="row:9")
        failed.action_retry()
        self.assertEqual(failed.state, "cancelled")
        self.assertEqual(pending.state, "pending")

    def test_cancel_and_requeue_all_failed(self):
        pending = self.backend._connector_enqueue("_job_noop")
        failed = self.backend._connector_enqueue("_job_noop")
        failed.state = "failed"
        pending.action_cancel()
        self.assertEqual(pending.state, "cancelled")
        self.Job.action_requeue_all_failed()
        self.assertEqual(failed.state, "pending")
        self.assertEqual(pending.state, "cancelled", "requeue all failed leaves cancelled jobs alone")

    def test_purge_removes_old_done_jobs_and_keeps_failed_ones(self):
        old = fields.Datetime.now() - timedelta(days=31)
        done_old = self.backend._connector_enqueue("_job_noop")
        done_recent = self.backend._connector_enqueue("_job_noop")
        failed_old = self.backend._connector_enqueue("_job_noop")
        done_old.write({"state": "done", "finished_at": old})
        done_recent.write({"state": "done", "finished_at": fields.Datetime.now()})
        failed_old.write({"state": "failed", "finished_at": old})
        self.Job._cron_purge_done_jobs()
        self.assertFalse(done_old.exists())
        self.assertTrue(done_recent.exists())
        self.assertTrue(failed_old.exists())

    def test_job_views_load(self):
        for view_type in ("list", "form", "search", "graph", "pivot"):
            self.Job.get_views([(False, view_type)])
