import functools
import json
import logging
import uuid
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..lib.redact import is_secret_name
from ..prepared_statements import execute_as_prepared

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
    "serial_key",
    "correlation_id",
    "enqueued_at",
    "create_uid",
    "write_uid",
    "create_date",
    "write_date",
)


@functools.cache
def _enqueue_column_lists(column_types):
    """SQL of _enqueue's column list, of the same columns cast to the table's types
    (VALUES in a sub-select type their columns by themselves), and the code of a row
    of placeholders cast the same way (so a prepared statement infers the types of
    its parameters). Built once: composed per call, they took a fifth of an
    enqueue's time."""
    columns = SQL(", ").join(SQL.identifier(column) for column in ENQUEUE_COLUMNS)
    typed = SQL(", ").join(
        SQL("%s::%s", SQL.identifier("job", column), SQL(column_type))
        for column, column_type in zip(ENQUEUE_COLUMNS, column_types, strict=True)
    )
    row_placeholders = "(" + ", ".join(f"%s::{column_type}" for column_type in column_types) + ")"
    return columns, typed, row_placeholders


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
    serial_key = fields.Char(
        readonly=True,
        copy=False,
        help="Jobs with the same key never run at the same time: one waits, pending, while "
        "another runs (the jobs about one board or sheet).",
    )
    correlation_id = fields.Char(readonly=True, copy=False, default=lambda self: uuid.uuid4().hex)
    enqueued_at = fields.Datetime(readonly=True, default=fields.Datetime.now)
    started_at = fields.Datetime(readonly=True)
    yielding_since = fields.Datetime(
        readonly=True,
        copy=False,
        help="When the job began yielding to other jobs holding what it needs (waits that cost "
        "no attempt, up to an hour).",
    )
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
        # One running job per serial key: two claims of one key at once, neither seeing the
        # other, cannot both commit (the index replaces a non-unique one of older versions).
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
            DROP INDEX IF EXISTS connector_sync_job_running_serial_idx;
            CREATE UNIQUE INDEX IF NOT EXISTS connector_sync_job_running_serial_uniq
                ON connector_sync_job (serial_key) WHERE state = 'running' AND serial_key IS NOT NULL;
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
        columns, typed, row_placeholders = _enqueue_column_lists(
            tuple(self._fields[column].column_type[1] for column in ENQUEUE_COLUMNS)
        )
        rows = []
        for vals in vals_list:
            row = {**defaults, "correlation_id": uuid.uuid4().hex, **vals}
            row["payload"] = json.dumps(row.get("payload") or {})
            # False is the ORM's empty value (a backend without company): NULL in SQL.
            values = (row.get(column) for column in ENQUEUE_COLUMNS)
            rows.append(SQL(row_placeholders, *(None if value is False else value for value in values)))
        wake_at = max(min(vals.get("next_attempt_at") or now for vals in vals_list), now)
        statement = SQL(
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
                SELECT EXISTS (SELECT FROM guard), ARRAY(SELECT id FROM inserted ORDER BY id), %(trigger)s
                """,
            guard=guard or SQL("SELECT 1"),
            columns=columns,
            typed=typed,
            rows=SQL(", ").join(rows),
            # Asked here rather than by _schedule_runner: one round trip less per webhook.
            trigger=self._due_trigger_pending_sql(wake_at),
        )
        # A concurrent transaction holding the same key makes this raise a
        # serialization failure, which callers retry: not an error to log.
        if len(vals_list) == 1:
            # One job (a webhook delivery): always the same statement, planned once per
            # session instead of once per delivery, which cost more than the insert.
            execute_as_prepared(self.env.cr, statement, log_exceptions=False)
        else:
            self.env.cr.execute(statement, log_exceptions=False)
        passed, job_ids, due_trigger_pending = self.env.cr.fetchone()
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
            self._schedule_runner(wake_at, due_trigger_pending=due_trigger_pending)
        return self.browse(job_ids), passed

    @api.model
    def _check_enqueue_values(self, vals_list):
        for vals in vals_list:
            method = vals.get("method_name") or ""
            if not method.startswith(HANDLER_PREFIX):
                raise ValueError(f"Job handlers must be named {HANDLER_PREFIX}*, got {method!r}")
            keys = self._payload_keys(vals.get("payload"))
            leaked = sorted(str(key) for key in keys if is_secret_name(key))
            if leaked:
                # Payloads are shown in the UI and kept for weeks: secrets belong
                # in connector.credential, and the job reads them from the backend.
                raise ValueError(f"Job payloads must not carry secrets (keys: {', '.join(leaked)})")

    @staticmethod
    def _payload_keys(value):
        """The keys of a payload's dicts at any depth, each once: a page of polled objects
        repeats the same few keys thousands of times."""
        keys, pending = set(), [value]
        while pending:
            item = pending.pop()
            if isinstance(item, dict):
                keys.update(item)
                pending.extend(item.values())
            elif isinstance(item, list):
                pending.extend(item)
        return keys

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
                "result_summary": self._superseded_text(),
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

    def _superseded_text(self):
        return self.env._("Superseded by a pending job with the same key.")

    def action_cancel(self):
        self.filtered(lambda job: job.state in ("pending", "failed")).write(
            {"state": "cancelled", "finished_at": fields.Datetime.now()}
        )
        return True

    @api.model
    def action_requeue_all_failed(self):
        self.search([("state", "=", "failed")]).action_retry()
        return True
