import json
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..fields import Secret
from ..lib.errors import AuthenticationError, ConfigurationError, ConnectorError
from ..lib.mapping import MappingError
from ..lib.sync import content_hash
from .connector_error_text import connector_error_text
from .connector_sync_job import HANDLER_PREFIX

CIRCUIT_BREAKER_REASON = "Circuit breaker: too many consecutive failures"
CREDENTIALS_REFUSED_REASON = "Credentials refused: waiting for a new authorization"
HEALTH_STATES = [("unknown", "Not checked"), ("ok", "Healthy"), ("warning", "Warning"), ("error", "Failing")]

SECRET_MASK = "••••••••"


class ConnectorBackendMixin(models.AbstractModel):
    """What every platform backend shares: identity, pausing, jobs and secrets.

    Secret fields are declared with :class:`connector_base.fields.Secret`
    (``api_token = Secret(string="API token")``): they read back as a mask when set
    (never the value) and write through to ``connector.credential`` encrypted; code
    reads them with :meth:`_connector_secret`. ``_connector_secret_fields`` lists
    them, filled in from the declarations.
    """

    _name = "connector.backend.mixin"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Connector Backend"

    _connector_secret_fields = ()  # the Secret fields, listed at registry setup

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, index=True)
    paused = fields.Boolean(
        compute="_compute_paused",
        help="A paused backend keeps its jobs queued without running them.",
    )
    job_count = fields.Integer(compute="_compute_job_counts", string="Jobs")
    job_failed_count = fields.Integer(compute="_compute_job_counts", string="Failed jobs")
    connected = fields.Boolean(compute="_compute_connected", help="Credentials are set and accepted.")
    needs_reauthorization = fields.Boolean(
        readonly=True,
        copy=False,
        help="The platform refused the credentials: the jobs wait (pending) until a working one is "
        "saved. Bindings and mappings are kept.",
    )
    last_success_at = fields.Datetime(compute="_compute_health_figures", string="Last successful sync")
    queue_depth = fields.Integer(compute="_compute_health_figures", string="Jobs waiting")
    failures_24h = fields.Integer(compute="_compute_health_figures", string="Failures (24 h)")
    consecutive_failures = fields.Integer(compute="_compute_health_figures")
    health_state = fields.Selection(HEALTH_STATES, default="unknown", readonly=True, copy=False)
    health_message = fields.Text(readonly=True, copy=False)
    health_checked_at = fields.Datetime(readonly=True, copy=False)

    # ------------------------------------------------------------------ pause
    def _pause_domain(self, object_type=None):
        return [
            ("backend_model", "=", self._name),
            ("backend_id", "in", self.ids),
            ("object_type", "=", object_type or False),
        ]

    def _active_pauses(self):
        now = fields.Datetime.now()
        return (
            self.env["connector.backend.pause"]
            .sudo()
            .search(
                [
                    "|",
                    ("resume_at", "=", False),
                    ("resume_at", ">", now),
                    "|",
                    ("backend_model", "=", False),
                    "&",
                    ("backend_model", "=", self._name),
                    ("backend_id", "in", self.ids),
                ]
            )
        )

    def _compute_paused(self):
        pauses = self._active_pauses()
        everything = any(not pause.backend_model for pause in pauses)
        paused_ids = {pause.backend_id for pause in pauses if not pause.object_type}
        for backend in self:
            backend.paused = everything or backend.id in paused_ids

    def action_pause(self, object_type=None, reason=None, resume_at=None):
        """Stop claiming this backend's jobs (or one object type's); they stay queued.

        With ``resume_at`` the pause lifts itself then (the circuit breaker's cool-down).
        """
        Pause = self.env["connector.backend.pause"].sudo()
        existing = Pause.search(self._pause_domain(object_type))
        now = fields.Datetime.now()
        expired = existing.filtered(lambda pause: pause.resume_at and pause.resume_at <= now)
        expired.unlink()
        already = set((existing - expired).mapped("backend_id"))
        Pause.create(
            [
                {
                    "backend_model": self._name,
                    "backend_id": backend.id,
                    "object_type": object_type,
                    "reason": reason,
                    "resume_at": resume_at,
                }
                for backend in self
                if backend.id not in already
            ]
        )
        self.invalidate_recordset(["paused"])
        if resume_at:
            self.env["connector.sync.job"]._schedule_runner(resume_at)
        return True

    def action_resume(self, object_type=None):
        self.env["connector.backend.pause"].sudo().search(self._pause_domain(object_type)).unlink()
        self.invalidate_recordset(["paused"])
        self.env["connector.sync.job"]._schedule_runner(fields.Datetime.now())
        return True

    # ------------------------------------------------------------------ jobs
    def _job_domain(self):
        return [("backend_model", "=", self._name), ("backend_id", "in", self.ids)]

    def _compute_job_counts(self):
        Job = self.env["connector.sync.job"]
        totals = dict(Job._read_group(self._job_domain(), ["backend_id"], ["__count"]))
        failed = dict(
            Job._read_group([*self._job_domain(), ("state", "=", "failed")], ["backend_id"], ["__count"])
        )
        for backend in self:
            backend.job_count = totals.get(backend.id, 0)
            backend.job_failed_count = failed.get(backend.id, 0)

    def _connector_job_values(
        self,
        method_name,
        payload=None,
        *,
        kind="import",
        name=None,
        object_type=None,
        object_name=None,
        object_url=None,
        external_id=None,
        identity_key=None,
        priority=10,
        eta=None,
    ):
        """Values of one job of this backend, for ``connector.sync.job._enqueue``.

        ``name`` says what the job does in words a person understands ("Import board
        IT"); ``object_name`` and ``object_url`` name the platform object it is about
        and link to it. ``identity_key`` is scoped to the backend: while a job with the
        same key is pending, enqueueing it again returns that job.
        """
        self.ensure_one()
        subject = {"name": name, "object_name": object_name, "object_url": object_url}
        if not name:
            subject = {
                **self._connector_job_subjects(method_name, [payload or {}])[0],
                **{key: value for key, value in subject.items() if value},
            }
        values = {
            **subject,
            "kind": kind,
            "backend_model": self._name,
            "backend_id": self.id,
            "backend_label": self.display_name,
            "company_id": self.company_id.id,
            "object_type": object_type,
            "external_id": external_id and str(external_id),
            "method_name": method_name,
            "payload": payload or {},
            "priority": priority,
            "identity_key": identity_key and f"{self._name},{self.id}:{identity_key}",
        }
        if eta:
            values["next_attempt_at"] = eta
        return values

    def _connector_job_subjects(self, method_name, payloads):
        """For each payload, {"name": ..., "object_name": ..., "object_url": ...} of a job of
        ``method_name`` given no name by its caller (platform hook: a quarantined row is
        named here, "Import row 12 of Website Launch"). Read what it needs once for all.

        The default makes a sentence of the handler's name: "Sync members (Trello demo)".
        """
        words = method_name.removeprefix(HANDLER_PREFIX).replace("_", " ").capitalize()
        name = self.env._("%(what)s (%(backend)s)", what=words, backend=self.display_name)
        return [{"name": name} for _payload in payloads]

    def _connector_enqueue(self, method_name, payload=None, **options):
        """Queue one job per backend in ``self``; see :meth:`_connector_job_values`."""
        vals_list = [backend._connector_job_values(method_name, payload, **options) for backend in self]
        return self.env["connector.sync.job"].sudo()._enqueue(vals_list)

    def _connector_notify_managers(self, message):
        """Tell connector managers something needs them: a note on the backend that
        notifies them in Discuss (and by e-mail, per their preferences)."""
        managers = (
            self.env.ref("connector_base.group_connector_manager")
            .sudo()
            .users.filtered(
                lambda user: not user.share and user.active and user.id != self.env.ref("base.user_root").id
            )
        )
        for backend in self:
            backend.sudo().message_post(
                body=message,
                partner_ids=managers.partner_id.ids,
                message_type="notification",
                subtype_xmlid="mail.mt_comment",
            )

    def action_view_jobs(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("connector_base.action_connector_sync_job")
        action["domain"] = self._job_domain()
        return action

    # ------------------------------------------------------------------ secrets
    def _setup_base(self):
        result = super()._setup_base()
        type(self)._connector_secret_fields = tuple(
            name for name, field in self._fields.items() if isinstance(field, Secret)
        )
        return result

    def _compute_connector_secrets(self):
        is_set = self.env["connector.credential"]._set_fields(self, list(self._connector_secret_fields))
        for backend in self:
            for field_name in self._connector_secret_fields:
                backend[field_name] = SECRET_MASK if (backend.id, field_name) in is_set else False

    def _inverse_connector_secrets(self):
        Credential = self.env["connector.credential"]
        for backend in self:
            # Only the secrets being written are in the cache: reading another one during
            # the write gives False (it is protected) and would erase it. Take them all
            # before storing any, as storing may clear the cache (unlink does).
            written = {
                name: self.env.cache.get(backend, self._fields[name])
                for name in self._connector_secret_fields
                if self.env.cache.contains(backend, self._fields[name])
            }
            stored = False
            for field_name, value in written.items():
                if value == SECRET_MASK:
                    continue
                try:
                    Credential._store(backend, field_name, value or "")
                except ConfigurationError as error:
                    raise UserError(str(error)) from None
                stored = True
            if stored and backend.needs_reauthorization:
                backend._connector_credentials_saved()
        # The cache would otherwise hold the plaintext until the transaction ends.
        self.invalidate_recordset(list(self._connector_secret_fields))

    def _connector_secret(self, field_name):
        """Plaintext of a secret for server-side use; ``None`` when it is not set."""
        self.ensure_one()
        if field_name not in self._connector_secret_fields:
            raise ValueError(f"{field_name} is not a secret field of {self._name}")
        return self.env["connector.credential"]._read(self, field_name)

    def _connector_secret_values(self):
        """Every secret value this backend holds, to mask them in error texts."""
        self.ensure_one()
        values = (self._connector_secret(name) for name in self._connector_secret_fields)
        return [value for value in values if value]

    # Secret fields are computed, never stored on the backend: Odoo would answer grouping,
    # sorting or aggregating on one with a ValueError (a traceback in the log), ignore it in
    # a search domain and export its mask. Each of these answers an access error instead.
    def _connector_refuse_secrets(self, field_names, operation):
        secrets = sorted(set(field_names).intersection(self._connector_secret_fields))
        if secrets:
            raise AccessError(
                self.env._(
                    "Secret fields of %(model)s cannot be %(operation)s: %(fields)s.",
                    fields=", ".join(secrets),
                    model=self._description,
                    operation=operation,
                )
            )

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        # Every read_group groupby and aggregate and every ORDER BY goes through here.
        self._connector_refuse_secrets([fname.split(".")[0]], self.env._("grouped, sorted or aggregated"))
        return super()._field_to_sql(alias, fname, query, flush)

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        # Also reached for paths from other models (``backend_id.token``), one model at a time.
        names = [leaf[0].split(".")[0] for leaf in domain or () if isinstance(leaf, list | tuple) and leaf]
        self._connector_refuse_secrets(
            [name for name in names if isinstance(name, str)], self.env._("searched")
        )
        return super()._search(domain, offset=offset, limit=limit, order=order)

    def _export_rows(self, fields, *, _is_toplevel_call=True):
        # Also reached for the subfields of a relation to a backend (``backend_id/token``).
        self._connector_refuse_secrets([path[0] for path in fields if path], self.env._("exported"))
        return super()._export_rows(fields, _is_toplevel_call=_is_toplevel_call)

    @api.ondelete(at_uninstall=False)
    def _unlink_connector_data(self):
        self.env["connector.sync.job"].sudo().search(
            [*self._job_domain(), ("state", "in", ("pending", "failed"))]
        ).write({"state": "cancelled", "result_summary": self.env._("The backend was deleted.")})
        self.env["connector.credential"]._unlink_for(self)
        self.env["connector.backend.pause"].sudo().search(
            [("backend_model", "=", self._name), ("backend_id", "in", self.ids)]
        ).unlink()

    # ------------------------------------------------------------------ health
    def _compute_connected(self):
        for backend in self:
            backend.connected = backend._connector_credentials_ready()

    def _connector_credentials_ready(self):
        """Platforms with richer states (OAuth) override this."""
        self.ensure_one()
        stored = self.env["connector.credential"]._set_fields(self, list(self._connector_secret_fields))
        return all((self.id, name) in stored for name in self._connector_secret_fields)

    def _compute_health_figures(self):
        Job = self.env["connector.sync.job"].sudo()
        since = fields.Datetime.now() - timedelta(hours=24)
        domain = self._job_domain()
        last_done = dict(
            Job._read_group([*domain, ("state", "=", "done")], ["backend_id"], ["finished_at:max"])
        )
        waiting = dict(Job._read_group([*domain, ("state", "=", "pending")], ["backend_id"], ["__count"]))
        failed = dict(
            Job._read_group(
                [*domain, ("error_class", "!=", False), ("finished_at", ">=", since)],
                ["backend_id"],
                ["__count"],
            )
        )
        streaks = self._failure_streaks()
        for backend in self:
            backend.last_success_at = last_done.get(backend.id)
            backend.queue_depth = waiting.get(backend.id, 0)
            backend.failures_24h = failed.get(backend.id, 0)
            backend.consecutive_failures = streaks.get(backend.id, 0)

    def _failure_streaks(self):
        """{backend id: jobs that failed on the platform since the backend's last success}."""
        if not self.ids:
            return {}
        self.env["connector.sync.job"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT job.backend_id, count(*)
                  FROM connector_sync_job job
                 WHERE job.backend_model = %(model)s AND job.backend_id = ANY(%(ids)s)
                   AND job.platform_failure AND job.state IN ('pending', 'failed')
                   AND job.finished_at > COALESCE(
                       (SELECT max(done.finished_at) FROM connector_sync_job done
                         WHERE done.backend_model = job.backend_model AND done.backend_id = job.backend_id
                           AND done.state = 'done'),
                       '-infinity')
                 GROUP BY job.backend_id
                """,
                model=self._name,
                ids=self.ids,
            )
        )
        return dict(self.env.cr.fetchall())

    # ------------------------------------------------------------------ refused credentials
    # One policy for every backend and credential kind. A platform client raises
    # AuthenticationError only when the credential itself is refused (revoked, expired, wrong
    # key), and PermissionDeniedError when a working credential may not reach one object: the
    # first holds the whole backend, the second fails that object's job alone.
    def _connector_credentials_refused(self, error):
        """The platform refused the credentials: flag the backend, hold its jobs, tell managers once.

        Called where a refusal is seen (a job's failure, a poll, a health check). The pause
        keeps the backend's jobs pending; nothing is deleted. A backend already flagged is
        paused again if someone lifted its pause meanwhile (its jobs would only be refused
        again), without a second note.
        """
        for backend in self.sudo():
            backend.action_pause(reason=CREDENTIALS_REFUSED_REASON)
            if backend.needs_reauthorization:
                continue
            backend.needs_reauthorization = True
            backend._connector_notify_managers(
                self.env._(
                    "The platform refused the credentials of %(backend)s (%(error)s). Its jobs wait, "
                    "pending, until a connector manager %(hint)s; bindings and mappings are kept.",
                    backend=backend.display_name,
                    error=str(error),
                    hint=backend._connector_reauthorize_hint(),
                )
            )

    def _connector_platform_checks(self, label, checks):
        """The health checks ``checks()`` makes on the platform, outside any job; when the
        platform refuses the credential, one failed check saying so, and the backend is held
        by the same policy as a job meeting the refusal (flagged, paused, managers told once)."""
        try:
            return checks()
        except AuthenticationError as error:
            self._connector_credentials_refused(error)
            return [(label, False, connector_error_text(self.env, error))]
        except ConnectorError as error:
            return [(label, False, connector_error_text(self.env, error))]

    def _connector_reauthorize_hint(self):
        """What a manager does to give a working credential (platform hook), to finish a sentence."""
        return self.env._("saves a working credential on the backend")

    def _connector_check_credentials(self):
        """Whether the stored credentials work now: True, False, or None when this backend
        cannot tell without a job (platform hook; one cheap platform call)."""
        return None

    def _connector_credentials_saved(self):
        """A credential was saved on a backend waiting for one: resume unless it is refused too."""
        self.ensure_one()
        try:
            working = self._connector_check_credentials()
        except AuthenticationError:
            working = False
        except ConnectorError:
            working = None  # the platform cannot tell now: the held jobs will
        if working is not False:
            self._connector_credentials_accepted()

    def _connector_credentials_accepted(self):
        """A working credential is stored: lift the hold, the held jobs run again."""
        flagged = self.sudo().filtered("needs_reauthorization")
        if not flagged:
            return
        flagged.needs_reauthorization = False
        self.env["connector.backend.pause"].sudo().search(
            [*flagged._pause_domain(), ("reason", "=", CREDENTIALS_REFUSED_REASON)]
        ).unlink()
        self.env["connector.sync.job"]._schedule_runner(fields.Datetime.now())

    def _connector_after_platform_failure(self):
        """Open the circuit breaker when the platform keeps failing: stop hammering it."""
        self.ensure_one()
        params = self.env["ir.config_parameter"].sudo()
        threshold = int(params.get_param("connector_base.circuit_breaker_threshold", 5))
        streak = self._failure_streaks().get(self.id, 0)
        if threshold <= 0 or streak < threshold or self.paused:
            return False
        minutes = int(params.get_param("connector_base.circuit_breaker_cooldown_minutes", 15))
        self.action_pause(
            reason=CIRCUIT_BREAKER_REASON, resume_at=fields.Datetime.now() + timedelta(minutes=minutes)
        )
        self._connector_notify_managers(
            self.env._(
                "%(backend)s failed %(count)s times in a row: its jobs are paused for %(minutes)s minutes. "
                "They resume by themselves after that, or at once after a successful health check.",
                backend=self.display_name,
                count=streak,
                minutes=minutes,
            )
        )
        return True

    def _health_checks(self):
        """(label, ok, detail) triples. Platforms extend this with authentication and
        webhook checks against the platform itself."""
        self.ensure_one()
        checks = [
            (
                self.env._("Credentials"),
                self._connector_credentials_ready(),
                self.env._("All secrets are set.")
                if self._connector_credentials_ready()
                else self.env._("Some secrets are missing."),
            )
        ]
        cron = self.env.ref("connector_base.ir_cron_run_sync_jobs").sudo()
        overdue = (
            self.env["connector.sync.job"]
            .sudo()
            .search_count(
                [
                    *self._job_domain(),
                    ("state", "=", "pending"),
                    ("next_attempt_at", "<", fields.Datetime.now() - timedelta(minutes=10)),
                ]
            )
        )
        runner_ok = cron.active and (not overdue or self.paused)
        checks.append(
            (
                self.env._("Job runner"),
                runner_ok,
                self.env._("The runner is active.")
                if runner_ok
                else self.env._(
                    "%(count)s job(s) are overdue by more than 10 minutes: is the scheduler running?",
                    count=overdue,
                ),
            )
        )
        return checks

    def action_check_health(self):
        for backend in self:
            try:
                checks = backend._health_checks()
            except ConnectorError as error:
                checks = [(self.env._("Platform"), False, connector_error_text(self.env, error))]
            healthy = all(ok for _label, ok, _detail in checks)
            backend.write(
                {
                    "health_state": "ok" if healthy else "error",
                    "health_checked_at": fields.Datetime.now(),
                    "health_message": "\n".join(
                        f"{'✔' if ok else '✘'} {label}: {detail}" for label, ok, detail in checks
                    ),
                }
            )
            if healthy:
                backend._close_circuit_breaker()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if all(b.health_state == "ok" for b in self) else "warning",
                "message": "\n".join(self.mapped("health_message")),
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _close_circuit_breaker(self):
        self.env["connector.backend.pause"].sudo().search(
            [*self._pause_domain(), ("reason", "=", CIRCUIT_BREAKER_REASON)]
        ).unlink()
        self.env["connector.sync.job"]._schedule_runner(fields.Datetime.now())

    # ------------------------------------------------------------------ export
    def _job_export_record(self, job):
        """Push one bound record to the platform, unless what it would send is unchanged."""
        binding = self.env["connector.external.binding"].browse(job.payload["binding_id"]).exists()
        record = binding and self.env[binding.res_model].browse(binding.res_id).exists()
        if not record:
            return {"skipped": 1, "summary": self.env._("The record or its binding no longer exists.")}
        mapper = self.env["connector.field.mapping"]._get_mapper(
            self, binding.external_type, binding.res_model
        )
        external_values = self._connector_export_values(binding, record, mapper)
        export_hash = content_hash(external_values)
        if export_hash == binding.export_hash:
            return {"skipped": 1}
        external_updated_at = self._export_record(binding, record, external_values)
        self._connector_export_done(binding, record, export_hash, external_updated_at)
        return {"updated": 1}

    def _connector_export_done(self, binding, record, export_hash, external_updated_at):
        """Remember what was exported, so the same values are not sent again."""
        snapshot = {
            name: field.convert_to_write(record[name], record)
            for name in (binding.synced_values or {})
            if (field := record._fields.get(name))
        }
        # Stored as JSON, the way the import stores what it synced (dates as text).
        snapshot = json.loads(json.dumps(snapshot, default=str))
        binding.write(
            {
                "export_hash": export_hash,
                "synced_values": {**(binding.synced_values or {}), **snapshot},
                "synced_at": fields.Datetime.now(),
                **({"external_updated_at": external_updated_at} if external_updated_at else {}),
            }
        )

    def _connector_export_values(self, binding, record, mapper):
        """The platform values of ``record`` an export sends: its mapped fields (platform hook).

        Platforms whose structure is not a field mapping (a Trello card's list, labels and
        members) add those values here, so they count in the export hash too.
        """
        return mapper.to_external(record)

    def _export_record(self, binding, record, external_values):
        """Write ``external_values`` to the platform object of ``binding`` (platform hook).

        Sends the platform's loop-prevention marker where it has one; returns the
        object's new modification time, or None. Raises the typed errors of
        ``lib.errors``.
        """
        raise NotImplementedError(f"{self._name} does not export {binding.external_type} records")

    # ------------------------------------------------------------------ create once
    def _connector_create_once(self, external_type, record, create, find):
        """Create ``record``'s object on the platform at most once, whatever point a worker
        dies at; returns (the platform object, whether this call created it).

        ``create(token)`` makes the platform call; a platform that stores a client-side
        key (Podio's ``external_id``) is sent ``token``. ``find(token, started_at)``
        returns the object an earlier attempt created, or None: looked up by the token
        where the platform stores it, else by what was sent and created after
        ``started_at`` (Trello: a card of that name in that list). It is only called
        when an earlier attempt recorded the same intent and died or lost the answer.
        The caller binds the record in this transaction: the intent goes with it.
        """
        self.ensure_one()
        Intent = self.env["connector.create.intent"].sudo()
        token, started_at, retried = Intent._open(self, external_type, record)
        found = find(token, started_at) if retried else None
        external = found or create(token)
        Intent._close(self, external_type, record)
        return external, not found

    # ------------------------------------------------------------------ batched export
    # Records per platform call, for platforms that write many at once (Smartsheet: 500 rows).
    # A backend setting it implements _export_records; the export jobs of one object type are
    # then claimed and sent together by _job_export_batch, each ending done or failed on its own.
    _connector_export_batch_size = 0

    def _export_records(self, items):
        """Write several bound records in as few calls as the platform allows (platform hook).

        ``items``: (binding, record, external values) triples. Returns {binding id:
        the object's new modification time or None, or the ``ConnectorError`` the
        platform gave for that record}: one refused record never fails the others.
        An error of the whole call is raised.
        """
        raise NotImplementedError(f"{self._name} does not export records in batches")

    def _job_export_batch(self, job):
        """Send the pending export jobs of one object type together, a batch at a time.

        The per-record jobs are claimed here, so the runner never runs them on their
        own; each ends skipped, done, or failed with its own record's error. When the
        whole call fails, everything rolls back: the claimed jobs are pending again
        and this job is retried.
        """
        object_type = job.payload["object_type"]
        Binding = self.env["connector.external.binding"]
        totals = {"updated": 0, "skipped": 0, "failed": 0}
        while claimed := self._claim_export_jobs(object_type):
            jobs = {job_id: self.env["connector.sync.job"].browse(job_id) for job_id, _binding_id in claimed}
            bindings = Binding.browse([binding_id for _job_id, binding_id in claimed]).exists()
            ready, refused = self._connector_export_prepare(bindings)
            items = [(binding, *ready[binding.id][:2]) for binding in bindings if binding.id in ready]
            outcome = self._export_records(items) if items else {}
            for job_id, binding_id in claimed:
                result = outcome.get(binding_id, refused.get(binding_id))
                if binding_id not in ready and binding_id not in refused:
                    jobs[job_id]._mark_done({"skipped": 1}, 0.0)
                    totals["skipped"] += 1
                elif isinstance(result, Exception):
                    jobs[job_id]._mark_failed(result, "", 0.0)
                    totals["failed"] += 1
                else:
                    record, _values, export_hash = ready[binding_id]
                    self._connector_export_done(Binding.browse(binding_id), record, export_hash, result)
                    jobs[job_id]._mark_done({"updated": 1}, 0.0)
                    totals["updated"] += 1
        summary = self.env._(
            "%(updated)s exported, %(failed)s failed, %(skipped)s unchanged",
            updated=totals["updated"],
            failed=totals["failed"],
            skipped=totals["skipped"],
        )
        return {"updated": totals["updated"], "skipped": totals["skipped"], "summary": summary}

    def _claim_export_jobs(self, object_type):
        """[(job id, binding id)] of up to one batch of due export jobs of ``object_type``, now running."""
        self.env["connector.sync.job"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                UPDATE connector_sync_job
                   SET state = 'running', attempts = attempts + 1, finished_at = NULL,
                       started_at = %(now)s, write_date = %(now)s
                 WHERE id IN (
                    SELECT id FROM connector_sync_job
                     WHERE state = 'pending' AND method_name = '_job_export_record'
                       AND backend_model = %(model)s AND backend_id = %(id)s AND object_type = %(type)s
                       AND next_attempt_at <= %(now)s
                     ORDER BY id
                     LIMIT %(limit)s
                       FOR UPDATE SKIP LOCKED)
             RETURNING id, (payload->>'binding_id')::int
                """,
                now=fields.Datetime.now(),
                model=self._name,
                id=self.id,
                type=object_type,
                limit=self._connector_export_batch_size,
            )
        )
        claimed = sorted(self.env.cr.fetchall())
        self.env["connector.sync.job"].invalidate_model()
        return claimed

    def _connector_export_prepare(self, bindings):
        """What the bindings would send, read and mapped together.

        Returns ({binding id: (record, external values, hash)} for the records with
        something new to send, {binding id: MappingError} for those that cannot be
        mapped); a binding in neither has nothing to send.
        """
        ready, refused = {}, {}
        groups = {}
        for binding in bindings:
            groups.setdefault((binding.external_type, binding.res_model), []).append(binding)
        for (external_type, model_name), bound in groups.items():
            existing = set(self.env[model_name].browse([binding.res_id for binding in bound]).exists().ids)
            group = [binding for binding in bound if binding.res_id in existing]
            records = self.env[model_name].browse([binding.res_id for binding in group])
            mapper = self.env["connector.field.mapping"]._get_mapper(self, external_type, model_name)
            try:
                values_list = mapper.to_external_batch(records)
            except MappingError:
                # Map them one by one to tell the refused records from the others.
                values_list = []
                for binding, record in zip(group, records, strict=True):
                    try:
                        values_list.append(mapper.to_external(record))
                    except MappingError as error:
                        refused[binding.id] = error
                        values_list.append(None)
            for binding, record, values in zip(group, records, values_list, strict=True):
                export_hash = values is not None and content_hash(values)
                if values is not None and export_hash != binding.export_hash:
                    ready[binding.id] = (record, values, export_hash)
        return ready, refused

    # ------------------------------------------------------------------ reconciliation
    @api.model
    def _cron_reconcile_backends(self):
        """Queue one reconciliation job per active backend of every connector."""
        for model_name in self.env.registry.descendants(["connector.backend.mixin"], "_inherit"):
            Backend = self.env[model_name]
            if Backend._abstract:
                continue
            for backend in Backend.search([("active", "=", True)]):
                for external_type in backend._reconcile_types():
                    backend._connector_enqueue(
                        "_job_reconcile",
                        {"external_type": external_type},
                        kind="reconcile",
                        name=self.env._(
                            "Compare every %(type)s of %(backend)s with Odoo",
                            type=external_type,
                            backend=backend.display_name,
                        ),
                        object_type=external_type,
                        identity_key=f"reconcile:{external_type}",
                        priority=50,
                    )

    def _reconcile_types(self):
        """External types this backend can list for reconciliation (platform hook)."""
        return []

    def _reconcile_snapshot(self, external_type):
        """Yield (external id, content hash of the mapped Odoo values) for every platform
        object of ``external_type`` (platform hook; page through, never load all at once)."""
        raise NotImplementedError(f"{self._name} cannot list {external_type} for reconciliation")

    def _job_reconcile(self, job):
        external_type = job.payload["external_type"]
        return self.env["connector.reconcile.difference"]._reconcile(
            self, external_type, self._reconcile_snapshot(external_type)
        )
