from odoo import api, fields, models
from odoo.tools import SQL

OAUTH_STATES = [
    ("disconnected", "Disconnected"),
    ("connected", "Connected"),
    ("needs_reauth", "Needs re-authorization"),
]


class ConnectorOAuthToken(models.Model):
    """Where one backend stands with its OAuth tokens: state, expiry, pending authorization.

    The token values themselves are encrypted in ``connector.credential``. This
    row lives apart from the backend because a refresh commits it in a
    transaction of its own while a job runs: the job may hold a lock on its
    backend row (a poll cursor written between two pages), never on this one.
    """

    _name = "connector.oauth.token"
    _description = "Connector OAuth Token"

    backend_model = fields.Char(required=True, readonly=True)
    backend_id = fields.Many2oneReference(model_field="backend_model", required=True, readonly=True)
    state = fields.Selection(OAUTH_STATES, required=True, default="disconnected", readonly=True)
    expires_at = fields.Datetime(string="Access token expires", readonly=True)
    refreshed_at = fields.Datetime(string="Last obtained", readonly=True)
    last_error = fields.Char(readonly=True, help="Why the platform refused the last refresh.")
    # Single use: the callback clears it in the same statement that checks it.
    pending_nonce = fields.Char(readonly=True, copy=False, groups="base.group_system")

    _sql_constraints = [
        (
            "one_per_backend",
            "UNIQUE (backend_model, backend_id)",
            "A backend has one OAuth token status.",
        ),
    ]

    @api.model
    def _for(self, backend):
        """The status row of ``backend``, created when missing (race-free)."""
        backend.ensure_one()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO connector_oauth_token
                       (backend_model, backend_id, state, create_uid, write_uid, create_date, write_date)
                VALUES (%(model)s, %(id)s, 'disconnected', %(uid)s, %(uid)s,
                        (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC'))
                ON CONFLICT (backend_model, backend_id) DO NOTHING
                """,
                model=backend._name,
                id=backend.id,
                uid=self.env.uid,
            ),
            # A concurrent first insert makes this a serialization failure, retried by the caller.
            log_exceptions=False,
        )
        return self.sudo().search([("backend_model", "=", backend._name), ("backend_id", "=", backend.id)])

    @api.model
    def _consume_nonce(self, backend, nonce):
        """True once for the nonce of the pending authorization of ``backend``, then never again."""
        if not nonce:
            return False
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                UPDATE connector_oauth_token
                   SET pending_nonce = NULL, write_uid = %s, write_date = (now() AT TIME ZONE 'UTC')
                 WHERE backend_model = %s AND backend_id = %s AND pending_nonce = %s
             RETURNING id
                """,
                self.env.uid,
                backend._name,
                backend.id,
                nonce,
            )
        )
        consumed = bool(self.env.cr.fetchone())
        self.invalidate_model(["pending_nonce"])
        return consumed

    @api.model
    def _lock(self, backend):
        """Lock the row of ``backend`` until the transaction ends; serializes refreshes.

        Under REPEATABLE READ, a row another refresh changed after this
        transaction began raises a serialization failure: the caller retries on
        a fresh snapshot, where it finds the tokens that refresh obtained.
        """
        self._for(backend)
        self.env.cr.execute(
            SQL(
                "SELECT id FROM connector_oauth_token WHERE backend_model = %s AND backend_id = %s "
                "FOR NO KEY UPDATE",
                backend._name,
                backend.id,
            ),
            log_exceptions=False,
        )
