import uuid

from odoo import api, fields, models
from odoo.tools import SQL

from ..lib.errors import ConcurrencyError


class ConnectorCreateIntent(models.Model):
    """A platform object about to be created for an Odoo record, recorded before the call.

    Committed in its own transaction before the platform is asked, it outlives a
    worker killed during the call: the retry finds it, asks the platform for the
    object that attempt may have created, and creates only when there is none. It
    is deleted in the transaction that binds the record, so it exists exactly while
    a create may have happened without its binding. See
    ``connector.backend.mixin._connector_create_once``.
    """

    _name = "connector.create.intent"
    _description = "Connector Create Intent"
    _order = "id"

    backend_model = fields.Char(required=True, index=True)
    backend_id = fields.Many2oneReference(model_field="backend_model", required=True)
    external_type = fields.Char(required=True)
    res_model = fields.Char(string="Odoo model", required=True)
    res_id = fields.Many2oneReference(string="Odoo record id", model_field="res_model", required=True)
    token = fields.Char(
        required=True,
        readonly=True,
        help="Client-side key of the create: sent to platforms that store one (Podio's external_id).",
    )
    started_at = fields.Datetime(
        required=True, readonly=True, help="When the first attempt was recorded: what it created is newer."
    )

    _sql_constraints = [
        (
            "one_create_per_record",
            "UNIQUE (backend_model, backend_id, external_type, res_model, res_id)",
            "A record has at most one platform object being created per backend and type.",
        ),
        ("token_unique", "UNIQUE (token)", "Create tokens are unique."),
    ]

    @api.model
    def _open(self, backend, external_type, record):
        """(token, started at, retried) of the intent to create ``record``'s object (:meth:`_open_many`)."""
        return self._open_many(backend, external_type, record)[record.id]

    @api.model
    def _open_many(self, backend, external_type, records):
        """{record id: (token, started at, retried)} of the intents to create ``records``' objects.

        First locks each intent for this transaction (a transaction-level advisory lock,
        gone with the worker's session: a second worker on the same record is refused
        until this one ends), then records them in a transaction of its own, committed,
        so they survive this one; ``retried`` says an earlier attempt recorded it (and
        may have created the object before dying). Odoo's transactions read a snapshot,
        so intents are only ever read and written through their own cursors.
        """
        keys = [(backend._name, backend.id, external_type, record._name, record.id) for record in records]
        if not keys:
            return {}
        self.env.cr.execute(
            SQL(
                """SELECT bool_and(pg_try_advisory_xact_lock(hashtext(%s), hashtext(key)))
                     FROM unnest(%s) AS key""",
                self._name,
                [",".join(map(str, key)) for key in keys],
            )
        )
        if not self.env.cr.fetchone()[0]:
            raise ConcurrencyError(
                f"another worker is creating a {external_type} of {records._name} {records.ids}; retrying"
            )
        now = fields.Datetime.now()
        rows = [(*key, uuid.uuid4().hex, now, self.env.uid, self.env.uid, now, now) for key in keys]
        with self.env.registry.cursor() as cr:
            cr.execute(
                SQL(
                    """
                    INSERT INTO connector_create_intent
                        (backend_model, backend_id, external_type, res_model, res_id, token, started_at,
                         create_uid, write_uid, create_date, write_date)
                    VALUES %s
                    ON CONFLICT (backend_model, backend_id, external_type, res_model, res_id) DO NOTHING
                    RETURNING res_id, token, started_at
                    """,
                    SQL(", ").join(SQL("%s", row) for row in rows),
                )
            )
            opened = {res_id: (token, started_at, False) for res_id, token, started_at in cr.fetchall()}
            if len(opened) < len(keys):
                cr.execute(
                    SQL(
                        """SELECT res_id, token, started_at FROM connector_create_intent
                            WHERE %s AND res_id IN %s""",
                        _where_records(keys[0]),
                        tuple(key[4] for key in keys if key[4] not in opened),
                    )
                )
                opened.update(
                    {res_id: (token, started_at, True) for res_id, token, started_at in cr.fetchall()}
                )
        return opened

    @api.model
    def _close(self, backend, external_type, records):
        """Forget the intents of ``records`` once the transaction binding them commits.

        Should the worker die in between, an intent outlives the binding; the caller
        checks the binding before creating, so nothing is created twice.
        """
        if not records:
            return
        key = (backend._name, backend.id, external_type, records._name)
        res_ids = tuple(records.ids)
        registry = self.env.registry

        def forget():
            with registry.cursor() as cr:
                cr.execute(
                    SQL(
                        "DELETE FROM connector_create_intent WHERE %s AND res_id IN %s",
                        _where_records(key),
                        res_ids,
                    )
                )

        self.env.cr.postcommit.add(forget)

    @api.model
    def _forget(self, backend, external_type, records):
        """Forget the intents of ``records`` now, in a transaction of its own: the platform
        refused the create (a 429, a 4xx), so nothing was made and a retry may create.
        (:meth:`_close` waits for the job's commit, which a retryable error never reaches.)"""
        if not records:
            return
        key = (backend._name, backend.id, external_type, records._name)
        with self.env.registry.cursor() as cr:
            cr.execute(
                SQL(
                    "DELETE FROM connector_create_intent WHERE %s AND res_id IN %s",
                    _where_records(key),
                    tuple(records.ids),
                )
            )


def _where_records(key):
    """The intents of one backend, type and model; ``key`` may go on with a record id, ignored."""
    return SQL("backend_model = %s AND backend_id = %s AND external_type = %s AND res_model = %s", *key[:4])
