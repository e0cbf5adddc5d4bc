from odoo import api, fields, models

from .connector_sync_job import HANDLER_PREFIX

HEALTH_STATES = [("unknown", "Not checked"), ("ok", "Healthy"), ("warning", "Warning"), ("error", "Failing")]


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
        serial_key=None,
        priority=10,
        eta=None,
    ):
        """Values of one job of this backend, for ``connector.sync.job._enqueue``.

        ``name`` says what the job does in words a person understands ("Import board
        IT"); ``object_name`` and ``object_url`` name the platform object it is about
        and link to it. ``identity_key`` is scoped to the backend: while a job with the
        same key is pending, enqueueing it again returns that job. ``serial_key``, scoped
        the same way: jobs with the same one never run at the same time, whichever server
        claims them (the jobs about one container, which all write its row).
        """
        self.ensure_one()
        subject = {"name": name, "object_name": object_name, "object_url": object_url}
        if not name:
            subject = {
                **self._connector_job_subjects(method_name, [payload or {}])[0],
                **{key: value for key, value in subject.items() if value},
            }
        values = self._connector_job_values_named(
            subject,
            method_name,
            payload,
            kind=kind,
            object_type=object_type,
            external_id=external_id,
            priority=priority,
        )
        values["identity_key"] = identity_key and self._connector_scoped_key(identity_key)
        values["serial_key"] = serial_key and self._connector_scoped_key(serial_key)
        if eta:
            values["next_attempt_at"] = eta
        return values

    def _connector_scoped_key(self, key):
        """``key`` (a job's identity or serial key) as stored: scoped to this backend, so a
        connector finds a job of its own by the key it gave."""
        return f"{self._name},{self.id}:{key}"

    def _connector_job_values_named(
        self, subject, method_name, payload, *, kind, object_type, external_id, priority=10
    ):
        """:meth:`_connector_job_values` of a job whose ``subject`` (its name, object name
        and URL, from :meth:`_connector_job_subjects`) is known; an external id in the
        subject gives way to ``external_id``."""
        return {
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
        }

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

    def action_view_mappings(self):
        """The field mappings of these backends."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "connector_base.action_connector_field_mapping"
        )
        action["domain"] = [("backend_model", "=", self._name), ("backend_id", "in", self.ids)]
        return action

    def _connector_action_view_containers(self, action_xmlid):
        """The window action ``action_xmlid`` listing these backends' containers (boards, apps),
        a new one belonging to the first backend."""
        action = self.env["ir.actions.act_window"]._for_xml_id(action_xmlid)
        action["domain"] = [("backend_id", "in", self.ids)]
        action["context"] = {"default_backend_id": self[:1].id}
        return action

    def _connector_action_link_wizard(self, action_xmlid):
        """The link wizard's window action ``action_xmlid``, opened on this backend."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(action_xmlid)
        action["context"] = {"default_backend_id": self.id}
        return action

    def _connector_job_container(self, job, model, payload_key):
        """The container of ``model`` (sheet, board) whose id ``job``'s payload holds under
        ``payload_key``, while it exists and is linked (active); else an empty recordset,
        for the job to skip."""
        return self.env[model].browse(job.payload[payload_key]).exists().filtered("active")

    @api.ondelete(at_uninstall=False)
    def _unlink_connector_data(self):
        self.env["connector.sync.job"].sudo().search(
            [*self._job_domain(), ("state", "in", ("pending", "failed"))]
        ).write({"state": "cancelled", "result_summary": self.env._("The backend was deleted.")})
        self.env["connector.credential"]._unlink_for(self)
        # Bindings name their backend without a foreign key: the records a backend's
        # deletion takes with it in SQL (its messages, profiles) would leave theirs behind.
        self.env["connector.external.binding"].sudo().search(
            [("backend_model", "=", self._name), ("backend_id", "in", self.ids)]
        ).unlink()
        self.env["connector.backend.pause"].sudo().search(
            [("backend_model", "=", self._name), ("backend_id", "in", self.ids)]
        ).unlink()

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

    def _reconcile_scope(self, external_type):
        """External ids of the bindings the snapshot of ``external_type`` covers (platform
        hook). None, the default: every binding of the type. A snapshot that reads a window
        (Sprout's messages of the last days) names the bound objects inside it, so those
        older are not reported gone; both read the moment the reconciliation started from
        the context key ``connector_reconcile_at``, so they cover the same window."""
        return None

    def _job_reconcile(self, job):
        external_type = job.payload["external_type"]
        backend = self.with_context(connector_reconcile_at=fields.Datetime.now())
        return self.env["connector.reconcile.difference"]._reconcile(
            backend,
            external_type,
            backend._reconcile_snapshot(external_type),
            scope=backend._reconcile_scope(external_type),
        )
