import os

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, config

from ..lib import crypto
from ..lib.errors import ConfigurationError
from ..lib.notification import notification

# Ciphertexts read along with their record for this cursor (see _join_sql).
PREFETCH_KEY = "connector_base.prefetched_credentials"


class ConnectorCredential(models.Model):
    """Ciphertext of one secret of one record.

    Secrets live here rather than on each backend so that rotation and
    neutralization handle every connector in one place; the plaintext never
    reaches the database.
    """

    _name = "connector.credential"
    _description = "Connector Credential"

    res_model = fields.Char(required=True, index=True)
    res_id = fields.Many2oneReference(model_field="res_model", required=True, index=True)
    field_name = fields.Char(required=True)
    ciphertext = fields.Text(required=True, prefetch=False)

    _sql_constraints = [
        (
            "one_secret_per_field",
            "UNIQUE (res_model, res_id, field_name)",
            "A record has at most one stored value per secret field.",
        ),
    ]

    @api.model
    def _key_ring(self):
        raw = config.get(crypto.KEYS_OPTION) or os.environ.get(crypto.KEYS_ENV)
        return crypto.KeyRing(crypto.parse_keys(raw))

    @api.model
    def _key_status(self):
        """A sentence for Settings: is encryption usable, and with how many keys."""
        try:
            ring_size = len(
                crypto.parse_keys(config.get(crypto.KEYS_OPTION) or os.environ.get(crypto.KEYS_ENV))
            )
            self._key_ring()
        except ConfigurationError as error:
            return str(error)
        return self.env._(
            "Encryption key configured (%(count)s key(s) accepted for reading).", count=ring_size
        )

    @api.model
    def _encrypt(self, plaintext):
        return self._key_ring().encrypt(plaintext)

    @api.model
    def _store(self, records, field_name, plaintext):
        """Set (or clear, when ``plaintext`` is empty) one secret on ``records``."""
        self._forget_prefetched()
        if getattr(records, "_webhook_secret_field", None) == field_name:
            records._webhook_forget_intake_rows()
        existing = self.sudo().search(
            [
                ("res_model", "=", records._name),
                ("res_id", "in", records.ids),
                ("field_name", "=", field_name),
            ]
        )
        if not plaintext:
            existing.unlink()
            return
        ciphertext = self._encrypt(plaintext)
        existing.write({"ciphertext": ciphertext})
        missing = set(records.ids) - set(existing.mapped("res_id"))
        self.sudo().create(
            [
                {
                    "res_model": records._name,
                    "res_id": res_id,
                    "field_name": field_name,
                    "ciphertext": ciphertext,
                }
                for res_id in sorted(missing)
            ]
        )

    @api.model
    def _read(self, record, field_name):
        """Plaintext of one secret, or ``None`` when it is not set."""
        prefetched = self.env.cr.cache.get(PREFETCH_KEY, {})
        key = (record._name, record.id, field_name)
        if key in prefetched:
            ciphertext = prefetched[key]
        else:
            # Plain SQL, one round trip: webhook intake reads a secret on every delivery.
            self.flush_model()
            self.env.cr.execute(
                SQL(
                    """
                    SELECT ciphertext FROM connector_credential
                     WHERE res_model = %s AND res_id = %s AND field_name = %s
                    """,
                    *key,
                )
            )
            row = self.env.cr.fetchone()
            ciphertext = row and row[0]
        return self._key_ring().decrypt(ciphertext) if ciphertext else None

    @api.model
    def _join_sql(self, record_alias, model_name, field_name):
        """SQL of a LEFT JOIN adding one secret's ciphertext to another model's query,
        for callers that read a record and its secret in one round trip."""
        return SQL(
            """
            LEFT JOIN connector_credential ON connector_credential.res_model = %s
                  AND connector_credential.res_id = %s
                  AND connector_credential.field_name = %s
            """,
            model_name,
            SQL.identifier(record_alias, "id"),
            field_name,
        )

    @api.model
    def _prefetched(self, record, field_name, ciphertext):
        """Keep a ciphertext read through :meth:`_join_sql` for :meth:`_read`, until
        this cursor closes or a secret is stored."""
        prefetched = self.env.cr.cache.setdefault(PREFETCH_KEY, {})
        prefetched[(record._name, record.id, field_name)] = ciphertext

    @api.model
    def _forget_prefetched(self):
        self.env.cr.cache.pop(PREFETCH_KEY, None)

    @api.model
    def _set_fields(self, records, field_names):
        """{(res_id, field_name)} of the secrets that are set, in one query."""
        credentials = self.sudo().search_read(
            [
                ("res_model", "=", records._name),
                ("res_id", "in", records.ids),
                ("field_name", "in", field_names),
            ],
            ["res_id", "field_name"],
        )
        return {(row["res_id"], row["field_name"]) for row in credentials}

    @api.model
    def action_reencrypt_all(self):
        """Re-encrypt every secret with the newest key, so older keys can be retired."""
        if not self.env.user.has_group("connector_base.group_connector_manager"):
            raise UserError(self.env._("Only connector managers can re-encrypt secrets."))
        try:
            ring = self._key_ring()
            self._forget_prefetched()
            # The webhook intake keeps signing secrets' ciphertexts (they change here).
            self.env.registry.clear_cache()
            # Every secret must move to the newest key, so all of them are read.
            credentials = self.sudo().search([])  # pylint: disable=no-search-all
            for credential in credentials:
                credential.ciphertext = ring.rotate(credential.ciphertext)
        except ConfigurationError as error:
            raise UserError(str(error)) from None
        return notification(
            self.env._("%(count)s secret(s) re-encrypted with the newest key.", count=len(credentials))
        )

    @api.model
    def _unlink_for(self, records):
        self._forget_prefetched()
        if getattr(records, "_webhook_secret_field", None):
            records._webhook_forget_intake_rows()
        self.sudo().search([("res_model", "=", records._name), ("res_id", "in", records.ids)]).unlink()
