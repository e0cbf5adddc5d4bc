import os
import time

from odoo import models
from odoo.tools import SQL

from .connector_sync_job_runner import _HOSTNAME

# The most jobs one run takes along: its transaction, and the locks it holds, stay short.
COALESCE_LIMIT = 500


class ConnectorSyncJobCoalesce(models.Model):
    """Coalescing: a running job takes along the other pending jobs of its backend and
    handler, so a burst of events costs one run (and one re-read) instead of one each."""

    # One concern per file: several files of this addon extend this model.
    _inherit = "connector.sync.job"  # pylint: disable=consider-merging-classes-inherited

    def _coalesce_pending(self, limit=COALESCE_LIMIT, wait_for_more=0.0):
        """Take into this running job the due pending jobs of the same backend and handler;
        returns them, oldest first. A handler calls it first and does their work with its own.

        ``wait_for_more`` (seconds; a client's ``burst_wait()``): when it took some (a burst is
        on), wait that long and take those stored meanwhile too, so one read of the platform
        serves more of the burst. A job alone never waits.

        - Exactly once: each job taken is locked (``SKIP LOCKED``: never one another worker
          holds) and marked done in this job's transaction. If the run fails, the rollback
          leaves them pending, their work undone, to run again.
        - One run at a time per backend and handler: the second waits for the first to
          commit, so what it reads from the platform is never older than what the first wrote.
        - A failing job cannot hold back the others: only jobs never tried are taken, and only
          by a first attempt. A retry runs alone, as does whatever it would have taken.
        - Quarantine entries and jobs of a paused backend or object type are left alone.
        """
        self.ensure_one()
        self.flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT pg_advisory_xact_lock(hashtext('connector_sync_job_coalesce'), hashtext(%s))",
                f"{self.backend_model},{self.backend_id},{self.method_name}",
            )
        )
        if self.attempts > 1:
            return self.browse()
        taken = self._take_pending(limit)
        if taken and wait_for_more > 0 and len(taken) < limit:
            time.sleep(wait_for_more)
            taken = (taken | self._take_pending(limit - len(taken))).sorted("id")
        return taken

    def _take_pending(self, limit):
        """Lock and mark done the due pending jobs ``_coalesce_pending`` may take, oldest first."""
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                WITH taken AS MATERIALIZED (
                    SELECT job.id FROM connector_sync_job job
                     WHERE job.state = 'pending' AND job.attempts = 0
                       AND job.backend_model = %(model)s AND job.backend_id = %(backend)s
                       AND job.method_name = %(method)s AND job.id <> %(job)s
                       AND job.quarantine IS NOT TRUE
                       -- The clock, not the transaction's start: jobs stored since it began are due too.
                       AND job.next_attempt_at <= (clock_timestamp() AT TIME ZONE 'UTC')
                       AND NOT EXISTS (
                           SELECT 1 FROM connector_backend_pause pause
                            WHERE (pause.resume_at IS NULL
                                   OR pause.resume_at > (clock_timestamp() AT TIME ZONE 'UTC'))
                              AND (pause.backend_model IS NULL
                                   OR (pause.backend_model = job.backend_model
                                       AND pause.backend_id = job.backend_id
                                       AND (pause.object_type IS NULL
                                            OR pause.object_type = job.object_type)))
                       )
                     ORDER BY job.id
                     LIMIT %(limit)s
                       FOR UPDATE SKIP LOCKED
                )
                UPDATE connector_sync_job job
                   SET state = 'done', attempts = 1, worker = %(worker)s,
                       started_at = date_trunc('second', now() AT TIME ZONE 'UTC'),
                       finished_at = date_trunc('second', now() AT TIME ZONE 'UTC'),
                       write_date = (now() AT TIME ZONE 'UTC'), result_summary = %(summary)s
                  FROM taken
                 WHERE job.id = taken.id
             RETURNING job.id
                """,
                model=self.backend_model,
                backend=self.backend_id,
                method=self.method_name,
                job=self.id,
                limit=limit,
                worker=f"{_HOSTNAME}:{os.getpid()}",
                summary=self.env._("Done with job %(job)s, which took it along.", job=self.id),
            )
        )
        taken = self.browse(sorted(row[0] for row in cr.fetchall()))
        taken.invalidate_recordset()
        return taken
