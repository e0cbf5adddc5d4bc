from contextlib import contextmanager

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..fields import Secret
from ..lib.errors import AuthenticationError, ConfigurationError, ConnectorError
from .connector_error_text import connector_error_text

CREDENTIALS_REFUSED_REASON = "Credentials refused: waiting for a new authorization"
SECRET_MASK = "••••••••"


class ConnectorBackendCredentials(models.AbstractModel):
    """Credentials of a backend: encrypted secret fields, and what follows when the platform refuses them."""

    # One concern per file: several files of this addon extend this model.
    _inherit = "connector.backend.mixin"  # pylint: disable=consider-merging-classes-inherited

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

    # ------------------------------------------------------------------ connected
    def _compute_connected(self):
        for backend in self:
            backend.connected = backend._connector_credentials_ready()

    def _connector_credentials_ready(self):
        """Platforms with richer states (OAuth) override this."""
        self.ensure_one()
        stored = self.env["connector.credential"]._set_fields(self, list(self._connector_secret_fields))
        return all((self.id, name) in stored for name in self._connector_secret_fields)

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

    def _connector_credentials_refused_apart(self, error):
        """:meth:`_connector_credentials_refused`, committed in a transaction of its own: a
        button that meets the refusal raises a ``UserError``, which rolls the button's own
        transaction back, and the mark must outlive it."""
        with self.env.registry.cursor() as cr:
            # A backend this transaction created, or wrote before the call (it holds the row),
            # a second transaction cannot see or would wait on for ever: the mark then shares
            # the button's fate.
            cr.execute(
                SQL(
                    "SELECT id FROM %s WHERE id = ANY(%s) FOR NO KEY UPDATE SKIP LOCKED",
                    SQL.identifier(self._table),
                    self.ids,
                )
            )
            apart = len(cr.fetchall()) == len(self)
            if apart:
                self.with_env(self.env(cr=cr))._connector_credentials_refused(error)
        if apart:
            self.invalidate_recordset(["needs_reauthorization", "paused"])
        else:
            self._connector_credentials_refused(error)

    @contextmanager
    def _connector_button_call(self):
        """Around the platform calls of a button: a ``ConnectorError`` becomes a ``UserError``
        in the person's words, and a refused credential is first held by the policy above,
        apart from the button's transaction (see :meth:`_connector_credentials_refused_apart`)."""
        try:
            yield
        except AuthenticationError as error:
            self._connector_credentials_refused_apart(error)
            raise UserError(self._connector_error_text(error)) from None
        except ConnectorError as error:
            raise UserError(self._connector_error_text(error)) from None

    def _connector_error_text(self, error):
        """What a person reads for ``error`` (platform hook: a platform may name its own button)."""
        return connector_error_text(self.env, error)

    def _connector_reauthorize_hint(self):
        """What a manager does to give a working credential (platform hook), to finish a sentence."""
        return self.env._("saves a working credential on the backend")

    def _connector_identify(self):
        """One cheap platform call on the stored credentials saying whom they belong to
        (platform hook): what the platform answered, for Test connection and health checks.
        A refused credential raises the client's ``AuthenticationError``; ``None``: this
        platform has no such call."""
        return None

    def _connector_check_credentials(self):
        """Whether the stored credentials work now: True, False, or None when this backend
        cannot tell without a job. False without stored credentials, else what one
        :meth:`_connector_identify` call says (its ``AuthenticationError`` is left for the caller)."""
        if not self._connector_credentials_ready():
            return False
        return None if self._connector_identify() is None else True

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
