import os

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, config

from ..lib import crypto
from ..lib.errors import ConfigurationError


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
        # Plain SQL, one round trip: webhook intake reads a secret on every delivery.
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT ciphertext FROM connector_credential
                 WHERE res_model = %s AND res_id = %s AND field_name = %s
                """,
                record._name,
                record.id,
                field_name,
            )
        )
        row = self.env.cr.fetchone()
        return self._key_ring().decrypt(row[0]) if row else None

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
            # Every secret must move to the newest key, so all of them are read.
            credentials = self.sudo().search([])  # pylint: disable=no-search-all
            for credential in credentials:
                credential.ciphertext = ring.rotate(credential.ciphertext)
        except ConfigurationError as error:
            raise UserError(str(error)) from None
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(count)s secret(s) re-encrypted with the newest key.", count=len(credentials)
                ),
            },
        }

    @api.model
    def _unlink_for(self, records):
        self.sudo().search([("res_model", "=", records._name), ("res_id", "in", records.ids)]).unlink()
