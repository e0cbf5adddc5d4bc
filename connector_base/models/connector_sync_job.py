import functools
import json
import logging
import os
import socket
import time
import traceback
import uuid
from datetime import timedelta
from typing import NamedTuple

import psycopg2
import requests

from odoo import api, exceptions, fields, models
from odoo.tools import SQL

from .. import job_runner
from ..lib import backoff
from ..lib.errors import AuthenticationError, ConnectorError, ValidationError
from ..lib.redact import is_secret_name, redact
from .connector_error_text import connector_error_text

_logger = logging.getLogger(__name__)

JOB_STATES = [
    ("pending", "Pending"),
    ("running", "Running"),
    ("done", "Done"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
]
JOB_KINDS = [
    ("import", "Import"),
    ("export", "Export"),
    ("webhook", "Webhook event"),
    ("webhook_setup", "Webhook setup"),
    ("reconcile", "Reconcile"),
    ("token_refresh", "Token refresh"),
]
# Handlers are looked up by name on the backend: only this prefix may be
# called, so a stored job can never run an arbitrary method.
HANDLER_PREFIX = "_job_"
RESULT_KEYS = ("created", "updated", "skipped")

# Errors that say nothing about the data: trying again later may succeed.
TRANSIENT_EXCEPTIONS = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    psycopg2.errors.SerializationFailure,
    psycopg2.errors.DeadlockDetected,
    psycopg2.errors.LockNotAvailable,
)
# Errors a person has to act on: retrying would fail the same way.
PERMANENT_EXCEPTIONS = (
    exceptions.UserError,
    exceptions.AccessError,
    exceptions.ValidationError,
    exceptions.MissingError,
)


# Columns _enqueue writes, in its statement's order.
ENQUEUE_COLUMNS = (
    "name",
    "kind",
    "backend_model",
    "backend_id",
    "backend_label",
    "company_id",
    "object_type",
    "object_name",
    "object_url",
    "external_id",
    "method_name",
    "payload",
    "priority",
    "state",
    "attempts",
    "max_attempts",
    "next_attempt_at",
    "identity_key",
    "correlation_id",
    "enqueued_at",
    "create_uid",
    "write_uid",
    "create_date",
    "write_date",
)
_ROW_PLACEHOLDERS = "(" + ", ".join(["%s"] * len(ENQUEUE_COLUMNS)) + ")"


@functools.cache
def _enqueue_column_lists(column_types):
    """SQL of _enqueue's column list, and of the same columns cast to the table's
    types (VALUES in a sub-select type their columns by themselves). Built once:
    composed per call, they took a fifth of an enqueue's time."""
    columns = SQL(", ").join(SQL.identifier(column) for column in ENQUEUE_COLUMNS)
    typed = SQL(", ").join(
        SQL("%s::%s", SQL.identifier("job", column), SQL(column_type))
        for column, column_type in zip(ENQUEUE_COLUMNS, column_types, strict=True)
    )
    return columns, typed


# First key of the two-key advisory lock a worker holds on each job it runs (the
# second is the job id): "conn" in ASCII, so it collides with no other lock user.
LIVENESS_LOCK_NAMESPACE = 0x636F6E6E
# Recorded on each attempt with the process id (read per claim: prefork forks after import).
_HOSTNAME = socket.gethostname()


class ClaimedJob(NamedTuple):
    """What the runner needs to run a job, as returned by the claim itself."""

    job_id: int
    method_name: str
    backend_model: str
    backend_id: int
    company_id: int | None


def _is_retryable(exc):
    if isinstance(exc, ConnectorError):
        return exc.retryable
    if isinstance(exc, PERMANENT_EXCEPTIONS):
        return False
    if isinstance(exc, TRANSIENT_EXCEPTIONS):
        return True
    # An unexpected error may be a hiccup as well as a bug: retry, and the
    # attempt limit turns a bug into a visible dead letter.
    return True


class ConnectorSyncJob(models.Model):
    _name = "connector.sync.job"
    _description = "Connector Sync Job"
    _order = "id desc"
    _rec_name = "name"

    name = fields.Char(required=True, readonly=True)
    # Few indexes on purpose: every webhook delivery inserts a row and every job
    # updates its own twice; the composite backend index in init() serves lookups.
    kind = fields.Selection(JOB_KINDS, required=True, default="import", readonly=True)
    backend_model = fields.Char(readonly=True)
    backend_id = fields.Many2oneReference(string="Backend ID", model_field="backend_model", readonly=True)
    backend_ref = fields.Reference(
        selection="_selection_backend_models", compute="_compute_backend_ref", string="Backend"
    )
    backend_label = fields.Char(string="Backend name", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    object_type = fields.Char(
        readonly=True, help="External object type, used to pause one type of a backend."
    )
    object_name = fields.Char(string="About", readonly=True, help="The platform object this job works on.")
    object_url = fields.Char(string="Link", readonly=True, help="The platform object, on the platform.")
    external_id = fields.Char(
        string="External ID", readonly=True, help="Id of the one platform object this job is about, if one."
    )
    quarantine = fields.Boolean(
        readonly=True, help="A record the import could not map, set aside until its data or mapping is fixed."
    )
    parent_external_id = fields.Char(
        string="Waits for",
        readonly=True,
        help="External ID of the quarantined object this one waits for (its parent): it is retried "
        "by itself once that one is imported.",
    )
    method_name = fields.Char(string="Target method", required=True, readonly=True)
    payload = fields.Json(string="Payload (JSON)", readonly=True, copy=False)
    payload_text = fields.Text(string="Payload", compute="_compute_payload_text")
    priority = fields.Integer(default=10, readonly=True, help="Lower runs first.")
    # No plain index on state or next_attempt_at: the planner would pick one and
    # sort every pending job on each claim; the partial indexes in init() serve.
    state = fields.Selection(JOB_STATES, required=True, default="pending", readonly=True)
    attempts = fields.Integer(readonly=True, default=0)
    max_attempts = fields.Integer(readonly=True, default=lambda self: self._default_max_attempts())
    next_attempt_at = fields.Datetime(readonly=True, default=fields.Datetime.now)
    identity_key = fields.Char(
        readonly=True,
        copy=False,
        help="While a job with this key is pending, enqueueing it again returns it.",
    )
    correlation_id = fields.Char(readonly=True, copy=False, default=lambda self: uuid.uuid4().hex)
    enqueued_at = fields.Datetime(readonly=True, default=fields.Datetime.now)
    started_at = fields.Datetime(readonly=True)
    finished_at = fields.Datetime(readonly=True)
    duration = fields.Float(readonly=True, string="Duration (s)", digits=(16, 3), aggregator="avg")
    worker = fields.Char(readonly=True, help="Process that ran the last attempt.")
    records_created = fields.Integer(readonly=True)
    records_updated = fields.Integer(readonly=True)
    records_skipped = fields.Integer(readonly=True)
    result_summary = fields.Char(readonly=True)
    error_class = fields.Char(readonly=True)
    platform_failure = fields.Boolean(
        readonly=True, help="The last error came from the platform or the connection, not from the data."
    )
    error_message = fields.Text(readonly=True)
    error_traceback = fields.Text(readonly=True)

    def init(self):
        # The claim query walks the due index, partial so done jobs never slow it down.
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS connector_sync_job_backend_idx
                ON connector_sync_job (backend_id, backend_model);
            CREATE INDEX IF NOT EXISTS connector_sync_job_due_idx
                ON connector_sync_job (priority, next_attempt_at, id) WHERE state = 'pending';
            CREATE INDEX IF NOT EXISTS connector_sync_job_attention_idx
                ON connector_sync_job (state) WHERE state IN ('running', 'failed');
            CREATE INDEX IF NOT EXISTS connector_sync_job_quarantine_idx
                ON connector_sync_job (backend_id, object_type, parent_external_id)
                WHERE quarantine AND state IN ('failed', 'pending');
            CREATE UNIQUE INDEX IF NOT EXISTS connector_sync_job_pending_identity_uniq
                ON connector_sync_job (identity_key)
                WHERE state = 'pending' AND identity_key IS NOT NULL;
            """
        )

    # ------------------------------------------------------------------ fields
    @api.model
    def _selection_backend_models(self):
        names = self.env.registry.descendants(["connector.backend.mixin"], "_inherit")
        return [(name, self.env[name]._description) for name in sorted(names) if not self.env[name]._abstract]

    @api.depends("backend_model", "backend_id")
    def _compute_backend_ref(self):
        known = {name for name, _label in self._selection_backend_models()}
        for job in self:
            valid = job.backend_model in known and job.backend_id
            job.backend_ref = f"{job.backend_model},{job.backend_id}" if valid else False

    @api.depends("payload")
    def _compute_payload_text(self):
        for job in self:
            job.payload_text = json.dumps(job.payload, indent=2, sort_keys=True) if job.payload else False

    def _default_max_attempts(self):
        return int(self.env["ir.config_parameter"].sudo().get_param("connector_base.job_max_attempts", 5))

    def _param(self, key, default):
        """A queue setting as stored now. Read from the table, not Odoo's cache: a change
        saved in Settings on another server applies from the next job, even within a
        runner pass that started before it (passes look at cache signals only between
        them)."""
        self.env.cr.execute("SELECT value FROM ir_config_parameter WHERE key = %s", [f"connector_base.{key}"])
        row = self.env.cr.fetchone()
        return float(row[0] if row and row[0] else default)

    # ------------------------------------------------------------------ enqueue
    @api.model
    def _enqueue(self, vals_list):
        """Insert jobs, returning the pending job already holding an identity key
        instead of a duplicate. The partial unique index decides, so two workers
        enqueueing the same key at once can never both win.
        """
        return self._enqueue_guarded(vals_list, None)[0]

    @api.model
    def _enqueue_guarded(self, vals_list, guard):
        """:meth:`_enqueue`, in the same statement as ``guard`` (SQL of an
        ``INSERT ... RETURNING``, or None): the jobs are inserted only when it
        returns a row. Returns the jobs and whether it did.

        The webhook intake claims an event id this way: claim and jobs, in one
        round trip per delivery, commit or fail together.
        """
        if not vals_list:
            if guard is None:
                return self.browse(), True
            self.env.cr.execute(guard, log_exceptions=False)
            return self.browse(), bool(self.env.cr.fetchone())
        self._check_enqueue_values(vals_list)
        now = fields.Datetime.now()
        defaults = {
            "kind": "import",
            "priority": 10,
            "state": "pending",
            "attempts": 0,
            "max_attempts": self._default_max_attempts(),
            "next_attempt_at": now,
            "enqueued_at": now,
            "create_uid": self.env.uid,
            "write_uid": self.env.uid,
            "create_date": now,
            "write_date": now,
        }
        rows = []
        for vals in vals_list:
            row = {**defaults, "correlation_id": uuid.uuid4().hex, **vals}
            row["payload"] = json.dumps(row.get("payload") or {})
            # False is the ORM's empty value (a backend without company): NULL in SQL.
            values = (row.get(column) for column in ENQUEUE_COLUMNS)
            rows.append(SQL(_ROW_PLACEHOLDERS, *(None if value is False else value for value in values)))
        wake_at = max(min(vals.get("next_attempt_at") or now for vals in vals_list), now)
        columns, typed = _enqueue_column_lists(
            tuple(self._fields[column].column_type[1] for column in ENQUEUE_COLUMNS)
        )
        self.env.cr.execute(
            SQL(
                """
                WITH guard AS (%(guard)s),
                     inserted AS (
                        INSERT INTO connector_sync_job (%(columns)s)
                        SELECT %(typed)s FROM (VALUES %(rows)s) AS job (%(columns)s)
                         WHERE EXISTS (SELECT FROM guard)
                        ON CONFLICT (identity_key) WHERE state = 'pending' AND identity_key IS NOT NULL
                        DO NOTHING
                        RETURNING id
                     )
                SELECT EXISTS (SELECT FROM guard), ARRAY(SELECT id FROM inserted ORDER BY id), %(trigger)s,
                       %(notify)s
                """,
                guard=guard or SQL("SELECT 1"),
                columns=columns,
                typed=typed,
                rows=SQL(", ").join(rows),
                # Asked here rather than by _schedule_runner: one round trip less per webhook.
                trigger=self._due_trigger_pending_sql(wake_at),
                # Delivered at commit: runner threads wake as soon as the jobs are visible.
                notify=self._notify_runners_sql() if wake_at <= now else SQL("NULL"),
            ),
            # A concurrent transaction holding the same key makes this raise a
            # serialization failure, which callers retry: not an error to log.
            log_exceptions=False,
        )
        passed, job_ids, due_trigger_pending, _notified = self.env.cr.fetchone()
        keys = [vals["identity_key"] for vals in vals_list if vals.get("identity_key")]
        if passed and keys and len(job_ids) < len(vals_list):
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM connector_sync_job WHERE state = 'pending' AND identity_key = ANY(%s)",
                    keys,
                )
            )
            job_ids = list(dict.fromkeys(job_ids + [row[0] for row in self.env.cr.fetchall()]))
        if passed:
            self._schedule_runner(wake_at, due_trigger_pending=due_trigger_pending, notified=True)
        return self.browse(job_ids), passed

    @api.model
    def _check_enqueue_values(self, vals_list):
        for vals in vals_list:
            method = vals.get("method_name") or ""
            if not method.startswith(HANDLER_PREFIX):
                raise ValueError(f"Job handlers must be named {HANDLER_PREFIX}*, got {method!r}")
            leaked = [key for key in self._walk_keys(vals.get("payload")) if is_secret_name(key)]
            if leaked:
                # Payloads are shown in the UI and kept for weeks: secrets belong
                # in connector.credential, and the job reads them from the backend.
                raise ValueError(f"Job payloads must not carry secrets (keys: {', '.join(leaked)})")

    @classmethod
    def _walk_keys(cls, value):
        if isinstance(value, dict):
            for key, item in value.items():
                yield key
                yield from cls._walk_keys(item)
        elif isinstance(value, list):
            for item in value:
                yield from cls._walk_keys(item)

    @api.model
    def _schedule_runner(self, at, due_trigger_pending=None, notified=False):
        """Wake the runners now (or when the earliest job is due), once per transaction.

        Runner threads are woken by a notification at commit; the cron, the fallback
        runner, by its trigger. ``due_trigger_pending``: what
        :meth:`_due_trigger_pending_sql` answered for ``at`` in the caller's query;
        None to ask it here. ``notified``: the caller's query sent the notification.
        """
        now = fields.Datetime.now()
        at = max(at, now)
        memo = self.env.cr.precommit.data.setdefault("connector_base.runner_triggers", set())
        minute = at.replace(second=0, microsecond=0)
        if minute in memo:
            return
        memo.add(minute)
        if at <= now:
            if not notified:
                self.env.cr.execute(SQL("SELECT %s", self._notify_runners_sql()))
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
    def _notify_runners_sql(self):
        """SQL waking the runner threads listening on this database when the transaction commits."""
        return SQL("pg_notify(%s, '')", job_runner.CHANNEL)

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
    def _run_due_jobs(self, time_budget=50.0, max_jobs=None):
        """Run due jobs one transaction each until none is due or the budget is spent.

        Commits: a failing job rolls back its own work only. Returns the number of
        jobs run.
        """
        deadline = time.monotonic() + time_budget
        count = 0
        while time.monotonic() < deadline and (max_jobs is None or count < max_jobs):
            claim = self._claim_next()
            self.env.cr.commit()  # pylint: disable=invalid-commit
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

        Must start its own transaction. READ COMMITTED lets ``SKIP LOCKED`` step over
        a job another worker just claimed instead of raising a serialization error.
        The claim also takes the job's liveness lock (see :meth:`_requeue_lost_jobs`),
        held by this database session until the job's outcome is committed.

        The claim commits without waiting for its WAL flush (half of a job's disk
        waits): other workers see it at once all the same, and the job's outcome,
        committed durably, flushes it. Only a PostgreSQL crash in between can lose
        it, and that crash ends every worker's session too: the job then runs again
        either way, this one attempt uncounted.
        """
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
                SET LOCAL synchronous_commit = off;
                UPDATE connector_sync_job
                   SET state = 'running', attempts = attempts + 1, worker = %(worker)s,
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
                     ORDER BY job.priority, job.next_attempt_at, job.id
                     LIMIT 1
                       FOR UPDATE SKIP LOCKED)
             RETURNING id, method_name, backend_model, backend_id, company_id,
                       pg_advisory_lock(%(namespace)s, id)
                """,
                worker=f"{_HOSTNAME}:{os.getpid()}",
                namespace=LIVENESS_LOCK_NAMESPACE,
            )
        )
        row = cr.fetchone()
        return ClaimedJob(*row[:5]) if row else None

    @api.model
    def _perform(self, claim):
        """Run one claimed job and record its outcome in its own commit.

        The routing comes from the claim, not from re-reading the job: the
        runner's cost per job must stay close to its two commits.
        """
        job = self.browse(claim.job_id)
        started = time.monotonic()
        try:
            result = job._call_handler(
                claim.method_name, claim.backend_model, claim.backend_id, claim.company_id
            )
            job._mark_done(result or {}, time.monotonic() - started)
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

    def _mark_done(self, result, duration):
        # Plain SQL: this runs once per job and the ORM write costs more than the job itself.
        summary = result.get("summary") or ", ".join(
            f"{result.get(key, 0)} {key}" for key in RESULT_KEYS if result.get(key)
        )
        self.flush_recordset()
        self.env.cr.execute(
            SQL(
                """
                UPDATE connector_sync_job
                   SET state = 'done', finished_at = date_trunc('second', now() AT TIME ZONE 'UTC'),
                       write_date = (now() AT TIME ZONE 'UTC'), duration = %s,
                       records_created = %s, records_updated = %s, records_skipped = %s,
                       result_summary = %s, error_class = NULL, error_message = NULL, error_traceback = NULL,
                       platform_failure = FALSE
                 WHERE id = %s;
                %s;
                -- The row stays locked until the commit: no sweep can take the job meanwhile.
                SELECT pg_advisory_unlock(%s, %s)
                """,
                duration,
                result.get("created", 0),
                result.get("updated", 0),
                result.get("skipped", 0),
                summary or None,
                self.id,
                self._release_quarantine_waiting_sql(
                    SQL(
                        "SELECT backend_model, backend_id, object_type, external_id FROM connector_sync_job "
                        "WHERE id = %s AND quarantine",
                        self.id,
                    )
                ),
                LIVENESS_LOCK_NAMESPACE,
                self.id,
            )
        )
        self.invalidate_recordset()

    @api.model
    def _release_quarantine_waiting(self, backend_model, backend_id, object_type, parent_ids):
        """Retry the quarantine entries waiting for these objects, which are in Odoo now."""
        self.flush_model()
        released = SQL(
            "SELECT %s::varchar, %s::int, %s::varchar, parent_id FROM unnest(%s::varchar[]) AS parent_id",
            backend_model,
            backend_id,
            object_type or None,
            list(parent_ids),
        )
        self.env.cr.execute(self._release_quarantine_waiting_sql(released))
        self.invalidate_model()
        self._schedule_runner(fields.Datetime.now())

    @api.model
    def _release_quarantine_waiting_sql(self, parents):
        """SQL retrying the quarantine entries waiting for ``parents`` (a query of backend
        model, backend id, object type and external id). A quarantined job's success
        runs it (in :meth:`_mark_done`): the family follows its parent down, by itself."""
        return SQL(
            """
            UPDATE connector_sync_job waiting
               SET state = 'pending', attempts = 0,
                   -- Whole seconds, as Odoo's datetimes: due for a check made in the same second.
                   next_attempt_at = date_trunc('second', now() AT TIME ZONE 'UTC'),
                   finished_at = NULL, write_date = (now() AT TIME ZONE 'UTC')
              FROM (%s) AS parent (backend_model, backend_id, object_type, external_id)
             WHERE waiting.quarantine AND waiting.state = 'failed'
               AND waiting.backend_id = parent.backend_id AND waiting.backend_model = parent.backend_model
               AND waiting.object_type IS NOT DISTINCT FROM parent.object_type
               AND waiting.parent_external_id = parent.external_id
            """,
            parents,
        )

    def _mark_failed(self, exc, trace, duration):
        secrets = self._backend_secrets()
        retryable = _is_retryable(exc)
        give_up = not retryable or self.attempts >= self.max_attempts
        message = redact(connector_error_text(self.env, exc) or exc.__class__.__name__, secrets)
        values = {
            "finished_at": fields.Datetime.now(),
            "duration": duration,
            "error_class": f"{type(exc).__module__}.{type(exc).__qualname__}",
            "error_message": message,
            "error_traceback": redact(trace, secrets),
        }
        backend = self._failed_backend()
        if backend and isinstance(exc, AuthenticationError):
            # The credential was refused, not this job's work: it waits, pending, for a working
            # credential (the backend's pause holds it), and the refused try costs no attempt.
            values.update(
                state="pending",
                attempts=max(self.attempts - 1, 0),
                next_attempt_at=fields.Datetime.now(),
                platform_failure=False,
            )
            _logger.warning("Connector job %s (%s) held: %s", self.id, self.name, message)
            self.write(values)
            backend._connector_credentials_refused(exc)
            return
        if give_up:
            values["state"] = "failed"
            if retryable:
                values["error_message"] = self.env._(
                    "Gave up after %(attempts)s attempts. Last error: %(error)s",
                    attempts=self.attempts,
                    error=message,
                )
        else:
            delay = backoff.retry_delay(
                self.attempts,
                base=self._param("retry_base_seconds", 30),
                retry_after=getattr(exc, "retry_after", None),
            )
            values["state"] = "pending"
            values["next_attempt_at"] = fields.Datetime.now() + timedelta(seconds=delay)
        # Only the platform failing counts towards the circuit breaker: an object the
        # credential may not reach (PermissionDeniedError) fails alone and never pauses the backend.
        values["platform_failure"] = retryable
        log = _logger.info if retryable and not give_up else _logger.warning
        log("Connector job %s (%s) %s: %s", self.id, self.name, values["state"], message)
        self.write(values)
        if values["state"] == "pending":
            self._schedule_runner(values["next_attempt_at"])
        if values["platform_failure"] and backend:
            backend._connector_after_platform_failure()

    def _failed_backend(self):
        """The backend of this job (sudo); nothing when it has none or it is gone."""
        if not self.backend_id or self.backend_model not in self.env:
            return None
        Backend = self.env[self.backend_model]
        if "needs_reauthorization" not in Backend._fields:
            return None
        return Backend.sudo().browse(self.backend_id).exists()

    def _backend_secrets(self):
        """Current secret values of the job's backend, to mask them in error texts."""
        try:
            target = self.sudo()._handler_target(self.backend_model, self.backend_id, self.company_id.id)
        except ConnectorError:
            return []
        if not self.backend_id or not hasattr(target, "_connector_secret_values"):
            return []
        try:
            return target._connector_secret_values()
        except ConnectorError:
            # Without a usable key nothing can be decrypted, so nothing can leak.
            return []

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
                   SET state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'pending' END,
                       next_attempt_at = (now() AT TIME ZONE 'UTC'),
                       finished_at = CASE WHEN attempts >= max_attempts
                                          THEN (now() AT TIME ZONE 'UTC') END,
                       error_class = 'WorkerLost',
                       error_message = %(message)s,
                       write_date = (now() AT TIME ZONE 'UTC')
                 WHERE job.state = 'running'
                   AND NOT EXISTS (
                       SELECT 1 FROM pg_locks holder
                        WHERE holder.locktype = 'advisory'
                          AND holder.database = (SELECT oid FROM pg_database
                                                  WHERE datname = current_database())
                          AND holder.classid = %(namespace)s::oid
                          AND holder.objid = job.id::oid
                          AND holder.objsubid = 2
                          AND holder.granted
                   )
             RETURNING job.id
                """,
                namespace=LIVENESS_LOCK_NAMESPACE,
                message="The worker running this job stopped (its database session ended) "
                "before it finished.",
            )
        )
        lost = self.browse([row[0] for row in self.env.cr.fetchall()])
        lost.invalidate_recordset()
        if lost:
            _logger.warning("Connector jobs %s were left running by a lost worker: requeued", lost.ids)
        return lost

    @api.model
    def _cron_purge_done_jobs(self):
        days = self._param("job_retention_days", 30)
        limit = fields.Datetime.now() - timedelta(days=days)
        old = self.search([("state", "=", "done"), ("finished_at", "<", limit)])
        old.unlink()
        return len(old)

    # ------------------------------------------------------------------ actions
    def action_retry(self):
        """Queue failed or cancelled jobs again, as fresh jobs with a full set of attempts.

        A job whose identity key is already held by a pending job is superseded by
        it: requeueing both would run the same work twice.
        """
        retryable = self.filtered(lambda job: job.state in ("failed", "cancelled"))
        keys = {job.identity_key for job in retryable if job.identity_key}
        held = set()
        if keys:
            held = set(
                self.search([("state", "=", "pending"), ("identity_key", "in", list(keys))]).mapped(
                    "identity_key"
                )
            )
        requeue = self.browse()
        for job in retryable.sorted("id", reverse=True):
            if job.identity_key and job.identity_key in held:
                continue
            held.add(job.identity_key)
            requeue |= job
        (retryable - requeue).filtered(lambda job: job.state == "failed").write(
            {
                "state": "cancelled",
                "result_summary": self.env._("Superseded by a pending job with the same key."),
            }
        )
        requeue.write(
            {
                "state": "pending",
                "attempts": 0,
                "next_attempt_at": fields.Datetime.now(),
                "finished_at": False,
            }
        )
        if requeue:
            self._schedule_runner(fields.Datetime.now())
        return True

    def action_cancel(self):
        self.filtered(lambda job: job.state in ("pending", "failed")).write(
            {"state": "cancelled", "finished_at": fields.Datetime.now()}
        )
        return True

    @api.model
    def action_requeue_all_failed(self):
        self.search([("state", "=", "failed")]).action_retry()
        return True
