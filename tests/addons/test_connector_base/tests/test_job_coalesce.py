from datetime import timedelta
from unittest.mock import patch

from odoo import fields

from odoo.addons.connector_base.tests.common import ConnectorCase, RunJobsMixin

SLEEP = "odoo.addons.connector_base.models.connector_sync_job_coalesce.time.sleep"


class TestJobCoalesce(RunJobsMixin, ConnectorCase):
    """A running job takes along the pending jobs of its backend and handler (``_coalesce_pending``)."""

    def enqueue(self, count, **options):
        return self.env["connector.sync.job"].concat(
            *(
                self.backend._connector_enqueue("_job_apply_together", {"event": index}, **options)
                for index in range(count)
            )
        )

    def applied(self, jobs):
        return self.env["test.connector.execution"].search([("job_id", "in", jobs.ids)])

    def test_a_burst_of_jobs_is_applied_in_one_run_each_once(self):
        burst = self.enqueue(5)
        other = self.backend._connector_enqueue("_job_record_execution")
        elsewhere = self.env["test.connector.backend"].create({"name": "Other backend"})
        foreign = elsewhere._connector_enqueue("_job_apply_together", {"event": "foreign"})

        ran = self.run_jobs()

        self.assertEqual(ran, burst[0] | other, "the other four were taken along by the first")
        self.assertEqual(burst.mapped("state"), ["done"] * 5)
        self.assertEqual(sorted(self.applied(burst).job_id.ids), sorted(burst.ids), "each applied once")
        self.assertEqual(burst[0].result_summary, "5 applied")
        self.assertEqual(set(burst[1:].mapped("attempts")), {1})
        self.assertIn(str(burst[0].id), burst[1].result_summary, "a taken job names the job that took it")
        self.assertEqual(foreign.state, "pending", "another backend's jobs are its own")

    def test_a_failed_run_leaves_the_taken_jobs_pending_and_its_retry_runs_alone(self):
        burst = self.enqueue(2) | self.backend._connector_enqueue("_job_apply_together", {"fail": True})

        self.run_jobs(limit=1)

        self.assertEqual(burst.mapped("state"), ["pending"] * 3)
        self.assertFalse(self.applied(burst), "the failed run's work is rolled back")
        self.assertEqual(burst.mapped("attempts"), [1, 0, 0], "the taken jobs count no attempt")
        # The next run (the second job) takes the failing one along again and fails too: then
        # both are retries, which run alone, and the failing job fails by itself.
        self.run_jobs(limit=1)
        self.assertEqual(burst.mapped("attempts"), [1, 1, 0])
        burst.write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
        self.run_jobs()
        self.assertEqual(burst.mapped("state"), ["done", "done", "pending"])
        self.assertEqual(len(self.applied(burst[:2])), 2, "each applied once, in a run of its own")
        self.assertEqual(burst[2].attempts, 1)

    def test_a_burst_waits_as_told_and_takes_the_jobs_stored_meanwhile_too(self):
        burst = self.enqueue(2)
        meanwhile = []

        def more_jobs_arrive(seconds):
            meanwhile.append((seconds, self.enqueue(3)))

        with patch(SLEEP, more_jobs_arrive):
            taken = burst[0]._coalesce_pending(wait_for_more=1.5)

        [(waited, arrived)] = meanwhile
        self.assertEqual(waited, 1.5)
        self.assertEqual(taken, burst[1] | arrived, "oldest first, those of the wait included")
        self.assertEqual(set(taken.mapped("state")), {"done"})

    def test_a_job_alone_never_waits(self):
        alone = self.enqueue(1)

        with patch(SLEEP) as sleep:
            taken = alone._coalesce_pending(wait_for_more=1.5)

        self.assertFalse(taken)
        sleep.assert_not_called()

    def test_jobs_not_due_quarantined_or_paused_are_left_alone(self):
        first = self.enqueue(1)
        later = self.enqueue(1, eta=fields.Datetime.now() + timedelta(hours=1))
        quarantined = self.enqueue(1)
        quarantined.quarantine = True
        paused = self.enqueue(1, object_type="card")
        self.env["connector.backend.pause"].create(
            {"backend_model": self.backend._name, "backend_id": self.backend.id, "object_type": "card"}
        )

        self.run_jobs(limit=1)

        self.assertEqual(first.state, "done")
        self.assertEqual(first.result_summary, "1 applied")
        self.assertEqual((later | quarantined | paused).mapped("state"), ["pending"] * 3)


class TestJobCoalesceLocks(ConnectorCase):
    """With real transactions: a job another worker holds is never taken."""

    def test_a_job_locked_by_another_transaction_is_not_taken(self):
        backend_id = self.make_committed_backend()
        job_ids = self.enqueue_committed(backend_id, "_job_apply_together", count=3)
        with self.registry.cursor() as other:
            other.execute("SELECT id FROM connector_sync_job WHERE id = %s FOR UPDATE", [job_ids[2]])
            self.run_committed(max_jobs=1)
            other.rollback()
        jobs = self.read_jobs(job_ids)
        self.assertEqual([jobs[job_id]["state"] for job_id in job_ids], ["done", "done", "pending"])
        self.assertEqual(self.run_committed(), 1)
        self.assertEqual(self.read_jobs(job_ids[2:])[job_ids[2]]["state"], "done")
