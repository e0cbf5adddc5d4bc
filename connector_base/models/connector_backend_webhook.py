from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..lib import webhook

# Fields the intake reads of a backend (the job's name and company, the signed URL).
INTAKE_FIELDS = ("name", "company_id", "public_base_url")
# Writing one of these changes what the intake reads of a backend.
INTAKE_CACHE_FIELDS = frozenset((*INTAKE_FIELDS, "active"))
SIGNED_BUDGET_PARAMETERS = (
    "connector_base.webhook_signed_budget",
    "connector_base.webhook_signed_budget_seconds",
)
UNVERIFIED_BUDGET_PARAMETERS = (
    "connector_base.webhook_unverified_budget",
    "connector_base.webhook_unverified_budget_seconds",
)


class ConnectorBackendWebhook(models.AbstractModel):
    """Webhook settings and hooks every backend gets; the intake is ``controllers/webhook.py``.

    A platform backend sets the class attributes it needs and overrides the
    ``_webhook_*`` hooks where its platform differs; its controller calls
    ``WebhookIntake(model, backend_id).handle()``.
    """

    # One concern per file: several files of this addon extend the backend mixin.
    _inherit = "connector.backend.mixin"  # pylint: disable=consider-merging-classes-inherited

    # Path of the platform's webhook route: "/connector/trello/webhook/{backend_id}".
    _webhook_route = None
    # How deliveries are signed (lib.signature.SignatureScheme). None refuses every
    # delivery, unless the backend overrides _webhook_verify_signature (Podio signs nothing).
    _webhook_signature = None
    # Secret field (one of _connector_secret_fields) holding the signing key.
    _webhook_secret_field = None
    # Verification challenge to echo (lib.webhook.Challenge), for platforms that send one.
    _webhook_challenge = None
    # Job handler receiving each event as its payload.
    _webhook_job_method = "_job_webhook_event"

    public_base_url = fields.Char(
        string="Public URL",
        help="Address the platform reaches this Odoo at, e.g. https://odoo.example.com. "
        "Empty: the web.base.url system parameter.",
    )
    webhook_url = fields.Char(
        string="Webhook URL",
        compute="_compute_webhook_url",
        help="Callback address registered with the platform.",
    )

    def _connector_public_base_url(self):
        self.ensure_one()
        base = self.public_base_url or self.env["ir.config_parameter"].sudo().get_param("web.base.url") or ""
        return base.rstrip("/")

    @api.depends("public_base_url")
    def _compute_webhook_url(self):
        for backend in self:
            backend.webhook_url = backend._webhook_url_at(backend._connector_public_base_url())

    def _webhook_url_at(self, base_url):
        """The webhook URL of this backend reached at ``base_url``; False without a route."""
        if not (self._webhook_route and self.id):
            return False
        return base_url.rstrip("/") + self._webhook_route.format(backend_id=self.id)

    @api.model
    def _webhook_find_backend(self, backend_id):
        """The active backend ``backend_id`` (empty when unknown or archived) with what
        the intake reads of it, signing secret included (see :meth:`_webhook_intake_row`)."""
        row = self._webhook_intake_row(backend_id)
        if row is None:
            return self.browse()
        values, display_name, webhook_url, ciphertext = row
        backend = self._webhook_cached(backend_id, values)
        # The backend's label in its jobs' names and the signed URL: computed when the row
        # was cached (computing the URL per delivery cost a tenth of the route's own time).
        self.env.cache.insert_missing(backend, self._fields["display_name"], [display_name])
        self.env.cache.insert_missing(backend, self._fields["webhook_url"], [webhook_url])
        if self._webhook_secret_field:
            self.env["connector.credential"]._prefetched(backend, self._webhook_secret_field, ciphertext)
        return backend

    @api.model
    @tools.ormcache("backend_id")
    def _webhook_intake_row(self, backend_id):
        """(values of :data:`INTAKE_FIELDS`, display name, webhook URL, signing secret's
        ciphertext) of the active backend ``backend_id``, or None, read in one query.

        Every delivery needs them, so they are kept in the registry cache: creating,
        archiving or deleting a backend, writing one of these fields (or one its display
        name depends on) or its signing secret clears it, on every server
        (``_webhook_forget_intake_rows``), and so does a change of ``web.base.url``, the
        URL's base when the backend has no public URL (any system parameter's does).
        """
        table = self._table
        columns = [SQL.identifier(table, name) for name in INTAKE_FIELDS]
        Credential = self.env["connector.credential"]
        join = SQL()
        # The URL's base when the backend has none of its own (see _connector_public_base_url).
        columns.append(SQL("(SELECT value FROM ir_config_parameter WHERE key = 'web.base.url')"))
        if self._webhook_secret_field:
            columns.append(SQL.identifier("connector_credential", "ciphertext"))
            join = Credential._join_sql(table, self._name, self._webhook_secret_field)
        self.flush_model([*INTAKE_FIELDS, "active"])
        Credential.flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT %s FROM %s %s WHERE %s = %s AND %s",
                SQL(", ").join(columns),
                SQL.identifier(table),
                join,
                SQL.identifier(table, "id"),
                backend_id,
                SQL.identifier(table, "active"),
            )
        )
        row = self.env.cr.fetchone()
        if row is None:
            return None
        values, web_base_url = row[: len(INTAKE_FIELDS)], row[len(INTAKE_FIELDS)]
        ciphertext = row[-1] if self._webhook_secret_field else None
        backend = self._webhook_cached(backend_id, values)
        webhook_url = backend._webhook_url_at(backend.public_base_url or web_base_url or "")
        return values, backend.display_name, webhook_url, ciphertext

    @api.model
    def _webhook_cached(self, backend_id, values):
        """The backend, its :data:`INTAKE_FIELDS` put in this environment's cache."""
        backend = self.browse(backend_id)
        for name, value in zip(INTAKE_FIELDS, values, strict=True):
            self.env.cache.insert_missing(backend, self._fields[name], [value])
        return backend

    @api.model
    def _webhook_forget_intake_rows(self):
        self.env.registry.clear_cache()

    @api.model_create_multi
    def create(self, vals_list):
        backends = super().create(vals_list)
        # An id answered "not found" before may be cached.
        self._webhook_forget_intake_rows()
        return backends

    def write(self, vals):
        result = super().write(vals)
        if self._webhook_intake_row_fields().intersection(vals):
            self._webhook_forget_intake_rows()
        return result

    @api.model
    def _webhook_intake_row_fields(self):
        """Fields whose change alters a cached intake row."""
        display_depends = self.pool.field_depends[self._fields["display_name"]]
        return INTAKE_CACHE_FIELDS.union(path.split(".")[0] for path in display_depends)

    def unlink(self):
        result = super().unlink()
        self._webhook_forget_intake_rows()
        return result

    # ------------------------------------------------------------------ budgets
    # Both are kept in the registry cache, which any change of a system parameter clears on
    # every server: no lookup per delivery, and a change made in Settings reaches them all.
    @api.model
    @tools.ormcache()
    def _webhook_signed_budget(self):
        """(deliveries, seconds): signed deliveries a backend takes before 429 (Settings)."""
        return self._webhook_budget_parameters(SIGNED_BUDGET_PARAMETERS, webhook.DEFAULT_SIGNED_BUDGET)

    @api.model
    @tools.ormcache()
    def _webhook_unverified_budget(self):
        """(deliveries, seconds): refused or unsigned deliveries a source address sends
        before 429 (Settings)."""
        return self._webhook_budget_parameters(
            UNVERIFIED_BUDGET_PARAMETERS, webhook.DEFAULT_UNVERIFIED_BUDGET
        )

    @api.model
    def _webhook_budget_parameters(self, keys, defaults):
        get_param = self.env["ir.config_parameter"].sudo().get_param
        budget = []
        for key, default in zip(keys, defaults, strict=True):
            try:
                value = int(get_param(key) or default)
            except ValueError:
                value = default
            budget.append(value if value > 0 else default)
        return tuple(budget)

    # ------------------------------------------------------------------ hooks
    def _webhook_handshake(self, payload, headers):
        """An answer (``lib.webhook.Answer``) to a verification request, or None for an event.

        Runs before the signature check, as platforms do not sign their
        handshakes: trust and store nothing here beyond what verifying needs
        (Podio, for instance, queues a job that validates the code it sent).
        """
        challenge = self._webhook_challenge
        value = challenge and challenge.value(headers, payload)
        return challenge.answer(value) if value else None

    def _webhook_verify_signature(self, raw_body, headers, url):
        """True when the delivery comes from the platform.

        ``url`` is :attr:`webhook_url`, the address registered with the platform,
        which some schemes sign (not the address seen behind a proxy).
        """
        scheme = self._webhook_signature
        if scheme is None or not self._webhook_secret_field:
            return False
        secret = self._connector_secret(self._webhook_secret_field)
        received = webhook.header_value(headers, scheme.header)
        return scheme.verify(secret, raw_body, received, url=url)

    def _webhook_event_id(self, payload):
        """The platform's id of this event, to drop redeliveries; None: never deduplicated."""
        return None

    def _webhook_job_values(self, payload, event_id):
        """Values of the jobs handling the event (see ``_connector_job_values``); none
        for an event needing no work. The jobs re-read the data from the platform."""
        self.ensure_one()
        name = self.env._(
            "Apply webhook event %(event)s received by %(backend)s",
            backend=self.display_name,
            event=event_id or "-",
        )
        return [
            self._connector_job_values(
                self._webhook_job_method, webhook.strip_secrets(payload), kind="webhook", name=name
            )
        ]

    def _webhook_accept(self, payload, event_id):
        """Store the event's jobs; False, storing nothing, when ``event_id`` came before."""
        self.ensure_one()
        return self._connector_accept_jobs(self._webhook_job_values(payload, event_id), event_id)

    def _connector_accept_jobs(self, vals_list, event_id):
        """Claim ``event_id`` and store the jobs in one statement; False, storing nothing, when
        it came before. Webhook deliveries and polls both come through here."""
        self.ensure_one()
        Job = self.env["connector.sync.job"].sudo()
        if event_id is None:
            Job._enqueue(vals_list)
            return True
        claim = self.env["connector.webhook.event"].sudo()._claim_sql(self, event_id)
        return Job._enqueue_guarded(vals_list, claim)[1]
