from datetime import timedelta

import psycopg2
import requests

from odoo import api, exceptions, fields, models
from odoo.tools import SQL

from ..lib import backoff
from ..lib.errors import AuthenticationError, ConcurrencyError, ConnectorError, RateLimitedError
from ..lib.redact import redact
from ..lib.sync import RESULT_KEYS
from ..prepared_statements import execute_prepared
from .connector_error_text import connector_error_text
from .connector_sync_job import _logger
from .connector_sync_job_runner import LIVENESS_LOCK_NAMESPACE

# A job's success, in its own transaction (see ConnectorSyncJobOutcome._mark_done).
_DONE = SQL(
    """
    UPDATE connector_sync_job
       SET state = 'done', finished_at = date_trunc('second', now() AT TIME ZONE 'UTC'),
           write_date = (now() AT TIME ZONE 'UTC'), duration = $1,
           records_created = $2, records_updated = $3, records_skipped = $4,
           result_summary = $5, error_class = NULL, error_message = NULL, error_traceback = NULL,
           platform_failure = FALSE
     WHERE id = $6
    -- The row stays locked until the commit: no sweep can take the job meanwhile.
    RETURNING pg_advisory_unlock(%s, id)
    """,
    LIVENESS_LOCK_NAMESPACE,
)
# The fields _DONE writes: only they leave the cache.
DONE_FIELDS = (
    "state",
    "finished_at",
    "write_date",
    "duration",
    "records_created",
    "records_updated",
    "records_skipped",
    "result_summary",
    "error_class",
    "error_message",
    "error_traceback",
    "platform_failure",
)

# How long a job yields to others (ConcurrencyError) at no attempt's cost.
YIELD_PATIENCE = timedelta(hours=1)

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


class ConnectorSyncJobOutcome(models.Model):
    """Recording a job's outcome: done (releasing what waited on it), failed, retried or held."""

    # One concern per file: several files of this addon extend this model.
    _inherit = "connector.sync.job"  # pylint: disable=consider-merging-classes-inherited

    def _mark_done(self, result, duration, quarantine=None):
        """Record the job's success. ``quarantine``: whether the job is a quarantine entry,
        whose waiting family its success retries; None reads it from the job."""
        # Plain SQL: this runs once per job and the ORM write costs more than the job itself.
        summary = result.get("summary") or ", ".join(
            f"{result.get(key, 0)} {key}" for key in RESULT_KEYS if result.get(key)
        )
        if quarantine is None:
            quarantine = self.quarantine
        self.flush_recordset()
        release = None
        if quarantine:
            # Only for quarantine entries: planning it costs more than the job's own UPDATE.
            parent = SQL(
                "SELECT backend_model, backend_id, object_type, external_id "
                "FROM connector_sync_job WHERE id = %s",
                self.id,
            )
            release = self._release_quarantine_waiting_sql(parent)
        execute_prepared(
            self.env.cr,
            ["float8", "int4", "int4", "int4", "varchar", "int4"],
            _DONE,
            [
                duration,
                result.get("created", 0),
                result.get("updated", 0),
                result.get("skipped", 0),
                summary or None,
                self.id,
            ],
            before=release,
        )
        self.invalidate_recordset(DONE_FIELDS)

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
            values["platform_failure"] = False
            self._put_back(values, message, fields.Datetime.now())
            backend._connector_credentials_refused(exc)
            return
        yielding_since = self.yielding_since or values["finished_at"]
        if isinstance(exc, ConcurrencyError) and values["finished_at"] - yielding_since < YIELD_PATIENCE:
            # Another job held what this one needed: it runs again once that one is through,
            # the try costing no attempt and saying nothing about the platform. Only for an
            # hour: a job yielding longer (a wait that never ends) retries like any other.
            values.update(platform_failure=False, yielding_since=yielding_since)
            due = fields.Datetime.now() + timedelta(seconds=exc.retry_after)
            self._put_back(values, message, due, log=_logger.info)
            if values["state"] == "pending":
                self._schedule_runner(due)
            return
        # Only the platform failing counts towards the circuit breaker: an object the
        # credential may not reach (PermissionDeniedError) fails alone and never pauses the backend.
        values["platform_failure"] = retryable and not isinstance(exc, ConcurrencyError)
        values["yielding_since"] = False
        if (
            backend
            and isinstance(exc, RateLimitedError)
            and backend._connector_quota_exhausted_after() is not None
        ):
            # A platform with a longer quota judges a run of rate limits by its own rule.
            values["platform_failure"] = False
            if backend._connector_rate_limited(exc):
                self._put_back(values, message, fields.Datetime.now())
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
        if values["state"] == "pending" and self._superseded():
            values.update(state="cancelled", result_summary=self._superseded_text())
        log = _logger.info if retryable and values["state"] == "pending" else _logger.warning
        log("Connector job %s (%s) %s: %s", self.id, self.name, values["state"], message)
        self.write(values)
        if values["state"] == "pending":
            self._schedule_runner(values["next_attempt_at"])
        if values["platform_failure"] and backend:
            backend._connector_after_platform_failure()

    def _put_back(self, values, message, next_attempt_at, log=_logger.warning):
        """Write ``values`` with the job pending again, due at ``next_attempt_at``, the try
        costing no attempt (cancelled instead when a newer job supersedes it)."""
        values.update(state="pending", attempts=max(self.attempts - 1, 0), next_attempt_at=next_attempt_at)
        if self._superseded():
            values.update(state="cancelled", result_summary=self._superseded_text())
        log("Connector job %s (%s) held: %s", self.id, self.name, message)
        self.write(values)

    def _superseded(self):
        """True when another job holding this job's identity key is pending (queued again
        while this one ran): it does the work, and a key has one pending job at most."""
        if not self.identity_key:
            return False
        self.env.cr.execute(
            SQL(
                "SELECT 1 FROM connector_sync_job WHERE state = 'pending' AND identity_key = %s AND id != %s",
                self.identity_key,
                self.id,
            )
        )
        return bool(self.env.cr.fetchone())

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
