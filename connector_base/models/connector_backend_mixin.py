from odoo import api, fields, models
from odoo.exceptions import UserError

from ..lib.errors import ConfigurationError

SECRET_MASK = "••••••••"


class ConnectorBackendMixin(models.AbstractModel):
    """What every platform backend shares: identity, pausing, jobs and secrets.

    Secret fields are declared on the concrete backend as non-stored fields::

        api_token = fields.Char(
            compute="_compute_connector_secrets", inverse="_inverse_connector_secrets",
            groups="connector_base.group_connector_manager")
        _connector_secret_fields = ("api_token",)

    They read back as a mask when set (never the value) and write through to
    ``connector.credential`` encrypted; code reads them with
    :meth:`_connector_secret`.
    """

    _name = "connector.backend.mixin"
    _description = "Connector Backend"

    _connector_secret_fields = ()

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, index=True)
    paused = fields.Boolean(
        compute="_compute_paused",
        help="A paused backend keeps its jobs queued without running them.",
    )
    job_count = fields.Integer(compute="_compute_job_counts", string="Jobs")
    job_failed_count = fields.Integer(compute="_compute_job_counts", string="Failed jobs")

    # ------------------------------------------------------------------ pause
    def _pause_domain(self, object_type=None):
        return [
            ("backend_model", "=", self._name),
            ("backend_id", "in", self.ids),
            ("object_type", "=", object_type or False),
        ]

    def _compute_paused(self):
        pauses = (
            self.env["connector.backend.pause"]
            .sudo()
            .search(
                [
                    "|",
                    ("backend_model", "=", False),
                    "&",
                    ("backend_model", "=", self._name),
                    ("backend_id", "in", self.ids),
                ]
            )
        )
        everything = any(not pause.backend_model for pause in pauses)
        paused_ids = {pause.backend_id for pause in pauses if not pause.object_type}
        for backend in self:
            backend.paused = everything or backend.id in paused_ids

    def action_pause(self, object_type=None, reason=None):
        """Stop claiming this backend's jobs (or one object type's); they stay queued."""
        Pause = self.env["connector.backend.pause"].sudo()
        already = set(Pause.search(self._pause_domain(object_type)).mapped("backend_id"))
        Pause.create(
            [
                {
                    "backend_model": self._name,
                    "backend_id": backend.id,
                    "object_type": object_type,
                    "reason": reason,
                }
                for backend in self
                if backend.id not in already
            ]
        )
        return True

    def action_resume(self, object_type=None):
        self.env["connector.backend.pause"].sudo().search(self._pause_domain(object_type)).unlink()
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

    def _connector_enqueue(
        self,
        method_name,
        payload=None,
        *,
        kind="import",
        name=None,
        object_type=None,
        identity_key=None,
        priority=10,
        eta=None,
    ):
        """Queue one job per backend in ``self``; see ``connector.sync.job._enqueue``."""
        vals_list = [
            {
                "name": name or f"{backend.display_name}: {method_name}",
                "kind": kind,
                "backend_model": backend._name,
                "backend_id": backend.id,
                "backend_label": backend.display_name,
                "company_id": backend.company_id.id,
                "object_type": object_type,
                "method_name": method_name,
                "payload": payload or {},
                "priority": priority,
                "identity_key": identity_key and f"{backend._name},{backend.id}:{identity_key}",
                **({"next_attempt_at": eta} if eta else {}),
            }
            for backend in self
        ]
        return self.env["connector.sync.job"].sudo()._enqueue(vals_list)

    def action_view_jobs(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("connector_base.action_connector_sync_job")
        action["domain"] = self._job_domain()
        return action

    # ------------------------------------------------------------------ secrets
    def _compute_connector_secrets(self):
        is_set = self.env["connector.credential"]._set_fields(self, list(self._connector_secret_fields))
        for backend in self:
            for field_name in self._connector_secret_fields:
                backend[field_name] = SECRET_MASK if (backend.id, field_name) in is_set else False

    def _inverse_connector_secrets(self):
        Credential = self.env["connector.credential"]
        for backend in self:
            for field_name in self._connector_secret_fields:
                value = backend[field_name]
                if value == SECRET_MASK:
                    continue
                try:
                    Credential._store(backend, field_name, value or "")
                except ConfigurationError as error:
                    raise UserError(str(error)) from None
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

    @api.ondelete(at_uninstall=False)
    def _unlink_connector_data(self):
        self.env["connector.sync.job"].sudo().search(
            [*self._job_domain(), ("state", "in", ("pending", "failed"))]
        ).write({"state": "cancelled", "result_summary": self.env._("The backend was deleted.")})
        self.env["connector.credential"]._unlink_for(self)
        self.env["connector.backend.pause"].sudo().search(
            [("backend_model", "=", self._name), ("backend_id", "in", self.ids)]
        ).unlink()
