import contextlib
import functools
import os
import socket
import time
import traceback
from typing import NamedTuple

import psycopg2.errors

from odoo import api, fields, models
from odoo.tools import SQL

from .. import job_runner
from ..lib.errors import ValidationError
from ..lib.heap import collector_spares_older_objects
from ..prepared_statements import execute_prepared
from .connector_sync_job import HANDLER_PREFIX, _logger

# First key of the two-key advisory lock a worker holds on each job it runs (the
# second is the job id): "conn" in ASCII, so it collides with no other lock user.
LIVENESS_LOCK_NAMESPACE = 0x636F6E6E
# At most one running job per serial key (connector_sync_job.init): a claim breaking it fails.
RUNNING_SERIAL_INDEX = "connector_sync_job_running_serial_uniq"


# The claim (see ConnectorSyncJobRunner._claim_next), and how its transaction begins: the
# statements of one query string sent outside a transaction are one transaction.
_CLAIM = SQL(
    """
        UPDATE connector_sync_job
           SET state = 'running', attempts = attempts + 1, worker = $1,
               started_at = date_trunc('second', now() AT TIME ZONE 'UTC'), finished_at = NULL,
               write_date = (now() AT TIME ZONE 'UTC')
         WHERE id = (
            SELECT job.id FROM connector_sync_job job
             WHERE job.state = 'pending'
               AND job.next_attempt_at <= (now() AT TIME ZONE 'UTC')
               AND NOT EXISTS (
                   SELECT 1 FROM connector_backend_pause pause
                    WHERE (pause.resume_at IS NULL OR pause.resume_at > (now() AT TIME ZONE 'UTC'))
                      AND (pause.backend_model IS NULL
                           OR (pause.backend_model = job.backend_model
                               AND pause.backend_id = job.backend_id
                               AND (pause.object_type IS NULL
                                    OR pause.object_type = job.object_type)))
               )
               AND (job.serial_key IS NULL OR NOT EXISTS (
                   SELECT 1 FROM connector_sync_job other
                    WHERE other.state = 'running' AND other.serial_key = job.serial_key))
             ORDER BY job.priority, job.next_attempt_at, job.id
             LIMIT 1
               FOR UPDATE SKIP LOCKED)
     RETURNING id, method_name, backend_model, backend_id, company_id, quarantine,
               pg_advisory_lock(%s, id)
    """,
    LIVENESS_LOCK_NAMESPACE,
)
_CLAIM_BEGIN = SQL("SET TRANSACTION ISOLATION LEVEL READ COMMITTED; SET LOCAL synchronous_commit = off")

# Recorded on each attempt with the process id (read per claim: prefork forks after import).
_HOSTNAME = socket.gethostname()


@contextlib.contextmanager
def _outside_transaction(connection):
    """Run statements on ``connection`` (psycopg2, idle) with no BEGIN sent first: each query
    string is a transaction of its own, committed once it ran.

    The session's transaction characteristics that Odoo sets (REPEATABLE READ, read-write)
    are put to their defaults meanwhile: psycopg2 applies them with a BEGIN, and a connection
    keeping them while it leaves and enters its transaction mode sends two SET statements
    each way. Refused inside a transaction (psycopg2 raises), as a claim must be.
    """
    isolation_level, readonly = connection.isolation_level, connection.readonly
    connection.isolation_level = connection.readonly = None
    connection.autocommit = True
    try:
        yield
    finally:
        connection.autocommit = False
        connection.isolation_level, connection.readonly = isolation_level, readonly


class ClaimedJob(NamedTuple):
    """What the runner needs to run a job, as returned by the claim itself."""

    job_id: int
    method_name: str
    backend_model: str
    backend_id: int
    company_id: int | None
    quarantine: bool


class ConnectorSyncJobRunner(models.Model):
    """Running jobs: waking the runner, claiming due jobs, calling handlers, requeueing lost ones."""

    # One concern per file: several files of this addon extend this model.
    _inherit = "connector.sync.job"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _schedule_runner(self, at, due_trigger_pending=None):
        """Wake the runners now (or when the earliest job is due), once per transaction.

        Runner threads are woken by a notification after the commit; the cron, the
        fallback runner, by its trigger. ``due_trigger_pending``: what
        :meth:`_due_trigger_pending_sql` answered for ``at`` in the caller's query;
        None to ask it here.
        """
        now = fields.Datetime.now()
        at = max(at, now)
        memo = self.env.cr.precommit.data.setdefault("connector_base.runner_triggers", set())
        minute = at.replace(second=0, microsecond=0)
        if minute in memo:
            return
        memo.add(minute)
        if at <= now:
            self._notify_runners_after_commit()
            # A due trigger is still pending (Odoo deletes them when a run ends): it wakes
            # the runner for this job as a new one would. Skipping spares a trigger row and
            # the fresh connection Odoo opens for each NOTIFY, which under a webhook burst
            # cost more than storing the events themselves.
            if due_trigger_pending is None:
                self.env.cr.execute(SQL("SELECT %s", self._due_trigger_pending_sql(at)))
                due_trigger_pending = self.env.cr.fetchone()[0]
            if due_trigger_pending:
                return
        self.env.ref("connector_base.ir_cron_run_sync_jobs").sudo()._trigger(at)

    @api.model
    def _notify_runners_after_commit(self):
        """Wake the runner threads listening on this database once this transaction commits.

        Not sent with the jobs: a committing NOTIFY holds a lock every other committing
        NOTIFY waits for, through its disk flush, so concurrent webhook deliveries would
        commit one at a time. This process's notifier sends it, on a connection of its
        own, right after the commit (see ``job_runner.notify_runners``)."""
        cr = self.env.cr
        if cr.postcommit.data.get("connector_base.notify_runners"):
            return
        cr.postcommit.data["connector_base.notify_runners"] = True
        cr.postcommit.add(functools.partial(job_runner.notify_runners, cr.dbname))

    @api.model
    def _due_trigger_pending_sql(self, at):
        """SQL of a boolean: a trigger due by ``at`` already waits for the runner."""
        return SQL(
            "EXISTS (SELECT 1 FROM ir_cron_trigger WHERE cron_id = %s AND call_at <= %s)",
            # Cached, unlike env.ref(), which checks the cron exists with a query.
            self.env["ir.model.data"]._xmlid_to_res_id("connector_base.ir_cron_run_sync_jobs"),
            at,
        )

    # ------------------------------------------------------------------ runner
    @api.model
    def _cron_run_jobs(self):
        """The cron's pass: recover lost jobs, then run due jobs unless this server's
        runner threads do (they are woken at once; the cron only every minute)."""
        # The sweep and the claim each set their isolation: they must open their transaction.
        self.env.cr.commit()  # pylint: disable=invalid-commit
        self._requeue_lost_jobs()
        # Read before the commit: the claim must open the next transaction (it sets its isolation).
        time_budget = self._param("runner_time_budget", 50)
        self.env.cr.commit()  # pylint: disable=invalid-commit
        if job_runner.is_running(self.env.cr.dbname):
            return
        self._run_due_jobs(time_budget=time_budget)

    def _register_hook(self):
        super()._register_hook()
        # Every Odoo server process that serves this database starts its runner
        # threads here (threaded server); see job_runner for prefork and tests.
        if job_runner.wanted_in_this_process():
            job_runner.start(self.env.cr.dbname)

    @api.model
    def _run_due_jobs(self, time_budget=50.0, max_jobs=None, stopping=None):
        """Run due jobs one transaction each until none is due, the budget is spent or
        ``stopping`` (a ``threading.Event``) is set.

        Commits: a failing job rolls back its own work only. Returns the number of
        jobs run.
        """
        deadline = time.monotonic() + time_budget
        count = 0
        while (
            time.monotonic() < deadline
            and (max_jobs is None or count < max_jobs)
            and not (stopping and stopping.is_set())
        ):
            claim = self._claim_next()
            if claim is None:
                break
            try:
                self._perform(claim)
            except BaseException:
                # Stopped mid-job (the process exits, the database failed): the job stays
                # running; releasing its lock lets the next sweep put it back now.
                self.env.cr.rollback()
                self._release_liveness_lock(claim.job_id)
                raise
            count += 1
        return count

    @api.model
    def _claim_next(self):
        """Mark the most urgent due job as running; return its :class:`ClaimedJob`, or None.

        Must start its own transaction: the claim is one, committed by the single round
        trip that sends it (the connection leaves its transaction mode for it), instead
        of three (BEGIN, the claim, COMMIT). READ COMMITTED lets ``SKIP LOCKED`` step
        over a job another worker just claimed instead of raising a serialization error.
        The claim also takes the job's liveness lock (see :meth:`_requeue_lost_jobs`),
        held by this database session until the job's outcome is committed.

        The claim commits without waiting for its WAL flush (half of a job's disk
        waits): other workers see it at once all the same, and the job's outcome,
        committed durably, flushes it. Only a PostgreSQL crash in between can lose
        it, and that crash ends every worker's session too: the job then runs again
        either way, this one attempt uncounted.

        A job whose ``serial_key`` another running job holds stays pending. Two workers
        claiming two jobs of one key at the same instant see neither claim in the other's
        query: the unique index on the running jobs' keys makes the later one wait for the
        first claim's commit and fail, taking nothing (not even the liveness lock, taken
        once the row is written), and it claims again, seeing the first.
        """
        while True:
            try:
                return self._claim_due()
            except psycopg2.errors.UniqueViolation as exc:
                if exc.diag.constraint_name != RUNNING_SERIAL_INDEX:
                    raise

    @api.model
    def _claim_due(self):
        """The :class:`ClaimedJob` of one claim attempt (see :meth:`_claim_next`), or None."""
        cr = self.env.cr
        with _outside_transaction(cr.connection):
            execute_prepared(
                cr,
                ["varchar"],
                _CLAIM,
                [f"{_HOSTNAME}:{os.getpid()}"],
                before=_CLAIM_BEGIN,
                log_exceptions=False,
            )
            row = cr.fetchone()
        if not row:
            return None
        # A job enqueued in SQL has no quarantine flag (NULL): not a quarantine entry.
        return ClaimedJob(*row[:5], bool(row[5]))

    @api.model
    def _perform(self, claim):
        """Run one claimed job and record its outcome in its own commit.

        The routing comes from the claim, not from re-reading the job: the
        runner's cost per job must stay close to its two commits.
        """
        job = self.browse(claim.job_id)
        started = time.monotonic()
        try:
            with collector_spares_older_objects():
                result = job._call_handler(
                    claim.method_name, claim.backend_model, claim.backend_id, claim.company_id
                )
            job._mark_done(result or {}, time.monotonic() - started, claim.quarantine)
            self.env.cr.commit()  # pylint: disable=invalid-commit
        except Exception as exc:  # noqa: BLE001 - every failure must land on the job
            trace = traceback.format_exc()
            self.env.cr.rollback()
            job._mark_failed(exc, trace, time.monotonic() - started)
            # Written first: the job's row stays locked until the commit, so no sweep
            # can take it between the lock's release and the outcome.
            self.env.flush_all()
            self._release_liveness_lock(claim.job_id)
            self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _release_liveness_lock(self, job_id):
        self.env.cr.execute(SQL("SELECT pg_advisory_unlock(%s, %s)", LIVENESS_LOCK_NAMESPACE, job_id))

    def _call_handler(self, method_name, backend_model, backend_id, company_id):
        target = self._handler_target(backend_model, backend_id, company_id)
        handler = getattr(target, method_name, None)
        if not method_name.startswith(HANDLER_PREFIX) or not callable(handler):
            raise ValidationError(
                self.env._(
                    "Job handler %(method)s does not exist on %(model)s.",
                    method=method_name,
                    model=backend_model,
                )
            )
        return handler(self)

    @api.model
    def _handler_target(self, backend_model, backend_id, company_id):
        if not backend_model or backend_model not in self.env:
            raise ValidationError(self.env._("No model %(model)s to run the job on.", model=backend_model))
        target = self.env[backend_model]
        if company_id:
            target = target.with_company(company_id)
        if backend_id:
            # Deleting a backend cancels its jobs; one that slips through fails
            # with MissingError as soon as its handler reads the backend.
            target = target.browse(backend_id)
        return target

    @api.model
    def _requeue_lost_jobs(self):
        """Put back running jobs whose worker is gone: their attempt counts, as it may be the cause.

        A worker holds a session-level advisory lock on each job it runs (taken by the
        claim, released once the outcome is committed). PostgreSQL drops it when the
        worker's session ends, however the worker died, so a running job nobody holds
        is lost, while a job running for hours in a live worker is never touched.
        Must start its own transaction: under READ COMMITTED, a job finishing while
        this runs is re-read once its worker commits and left alone.
        """
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
                UPDATE connector_sync_job job
                   SET state = CASE WHEN lost.superseded THEN 'cancelled'
                                    WHEN attempts >= max_attempts THEN 'failed'
                                    ELSE 'pending' END,
                       next_attempt_at = (now() AT TIME ZONE 'UTC'),
                       finished_at = CASE WHEN lost.superseded OR attempts >= max_attempts
                                          THEN (now() AT TIME ZONE 'UTC') END,
                       result_summary = CASE WHEN lost.superseded THEN %(superseded)s
                                             ELSE job.result_summary END,
                       error_class = 'WorkerLost',
                       error_message = %(message)s,
                       write_date = (now() AT TIME ZONE 'UTC')
                  FROM (
                    SELECT running.id,
                           -- Queued again meanwhile (same identity key, pending): that job
                           -- does the work, and a key has one pending job at most.
                           EXISTS (SELECT 1 FROM connector_sync_job again
                                    WHERE again.state = 'pending'
                                      AND again.identity_key = running.identity_key) AS superseded
                      FROM connector_sync_job running
                     WHERE running.state = 'running'
                       AND NOT EXISTS (
                           SELECT 1 FROM pg_locks holder
                            WHERE holder.locktype = 'advisory'
                              AND holder.database = (SELECT oid FROM pg_database
                                                      WHERE datname = current_database())
                              AND holder.classid = %(namespace)s::oid
                              AND holder.objid = running.id::oid
                              AND holder.objsubid = 2
                              AND holder.granted
                       )
                  ) AS lost
                 WHERE job.id = lost.id AND job.state = 'running'
             RETURNING job.id
                """,
                namespace=LIVENESS_LOCK_NAMESPACE,
                message="The worker running this job stopped (its database session ended) "
                "before it finished.",
                superseded=self._superseded_text(),
            )
        )
        lost = self.browse([row[0] for row in self.env.cr.fetchall()])
        lost.invalidate_recordset()
        if lost:
            _logger.warning("Connector jobs %s were left running by a lost worker: requeued", lost.ids)
        return lost
