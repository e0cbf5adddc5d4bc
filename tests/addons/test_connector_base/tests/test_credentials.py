from unittest.mock import patch

from cryptography.fernet import Fernet

from odoo.exceptions import AccessError, UserError
from odoo.tools import config

from odoo.addons.connector_base.lib.errors import ConfigurationError
from odoo.addons.connector_base.models.connector_backend_credentials import SECRET_MASK
from odoo.addons.connector_base.tests.common import ConnectorCase

OPTION = "connector_encryption_keys"


class TestCredentials(ConnectorCase):
    def raw_ciphertexts(self):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT ciphertext FROM connector_credential WHERE res_model = %s AND res_id = %s",
            [self.backend._name, self.backend.id],
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def with_keys(self, *keys):
        return patch.dict(config.options, {OPTION: ",".join(keys)})

    def test_secrets_are_stored_encrypted_and_read_back_as_a_mask(self):
        self.backend.write({"api_token": "tok-plain-0001", "app_secret": "sec-plain-0002"})
        stored = self.raw_ciphertexts()
        self.assertEqual(len(stored), 2)
        for ciphertext in stored:
            self.assertNotIn("plain", ciphertext)
        self.env.cr.execute("SELECT count(*) FROM connector_credential WHERE ciphertext LIKE '%%plain%%'")
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        self.backend.invalidate_recordset()
        self.assertEqual(self.backend.api_token, SECRET_MASK)
        self.assertEqual(self.backend._connector_secret("api_token"), "tok-plain-0001")

    def test_writing_the_mask_back_keeps_the_secret_and_clearing_removes_it(self):
        self.backend.api_token = "tok-1"
        self.backend.write({"api_token": SECRET_MASK})
        self.assertEqual(self.backend._connector_secret("api_token"), "tok-1")
        self.backend.api_token = False
        self.assertIsNone(self.backend._connector_secret("api_token"))
        self.assertFalse(self.raw_ciphertexts())

    def test_secrets_are_not_exported(self):
        self.backend.api_token = "tok-export"
        with self.assertRaises(AccessError) as refused:
            self.backend.export_data(["name", "api_token"])
        self.assertNotIn("tok-export", str(refused.exception))
        self.assertEqual(self.backend.export_data(["name"])["datas"], [[self.backend.name]])

    def test_key_rotation_reads_old_secrets_and_reencrypts_them(self):
        old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
        with self.with_keys(old_key):
            self.backend.api_token = "tok-rotate"
        with self.with_keys(new_key, old_key):
            self.assertEqual(self.backend._connector_secret("api_token"), "tok-rotate")
            self.env["connector.credential"].action_reencrypt_all()
        with self.with_keys(new_key):
            self.assertEqual(self.backend._connector_secret("api_token"), "tok-rotate")
        with self.with_keys(old_key), self.assertRaises(ConfigurationError):
            self.backend._connector_secret("api_token")

    def test_missing_key_gives_a_clear_error_and_never_stores_plaintext(self):
        no_env_key = patch.dict("os.environ", {"ODOO_CONNECTOR_ENCRYPTION_KEYS": ""})
        with self.with_keys(), no_env_key, self.assertRaisesRegex(UserError, OPTION):
            self.backend.api_token = "tok-no-key"
        self.assertFalse(self.raw_ciphertexts())

    def test_wrong_key_gives_a_clear_error_naming_the_setting(self):
        self.backend.api_token = "tok-wrong-key"
        other_key = Fernet.generate_key().decode()
        with (
            self.with_keys(other_key),
            self.assertRaisesRegex(ConfigurationError, "cannot be decrypted.*" + OPTION),
        ):
            self.backend._connector_secret("api_token")

    def test_an_invalid_key_is_reported_without_echoing_it(self):
        with self.with_keys("not-a-fernet-key"), self.assertRaises(ConfigurationError) as caught:
            self.env["connector.credential"]._key_ring()
        self.assertIn("#1", str(caught.exception))
        self.assertNotIn("not-a-fernet-key", str(caught.exception))

    def test_settings_show_the_encryption_status(self):
        settings = self.env["res.config.settings"].create({})
        self.assertIn("configured", settings.connector_encryption_status)
        with self.with_keys():
            self.assertIn(OPTION, self.env["connector.credential"]._key_status())
        self.env["res.config.settings"].get_views([(False, "form")])

    def test_deleting_a_backend_deletes_its_secrets(self):
        backend = self.env["test.connector.backend"].create({"name": "Doomed", "api_token": "tok-doomed"})
        backend.unlink()
        self.assertFalse(self.env["connector.credential"].search([("res_id", "=", backend.id)]))
