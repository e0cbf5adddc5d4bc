from odoo.exceptions import AccessError
from odoo.tests import new_test_user

from odoo.addons.connector_base.models.connector_backend_credentials import SECRET_MASK
from odoo.addons.connector_base.tests.common import ConnectorCase


class TestSecretDeclaration(ConnectorCase):
    """A secret declared in one line (``api_token = Secret()``): encrypted at rest,
    manager-only, shown as set or not set."""

    def test_declared_secrets_are_listed_with_those_of_the_oauth_mixin(self):
        self.assertEqual(
            self.env["test.connector.backend"]._connector_secret_fields, ("api_token", "app_secret")
        )
        self.assertEqual(
            set(self.env["test.connector.oauth.backend"]._connector_secret_fields),
            {
                "webhook_secret",
                "oauth_password",
                "oauth_client_secret",
                "oauth_access_token",
                "oauth_refresh_token",
            },
        )

    def test_a_declared_secret_is_stored_as_ciphertext_and_read_back_as_set_or_not_set(self):
        self.backend.api_token = "tok-plain-123"
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT ciphertext FROM connector_credential"
            " WHERE res_model = %s AND res_id = %s AND field_name = %s",
            [self.backend._name, self.backend.id, "api_token"],
        )
        (ciphertext,) = self.env.cr.fetchone()
        self.assertNotIn("tok-plain-123", ciphertext)

        self.backend.invalidate_recordset()
        self.assertEqual(self.backend.api_token, SECRET_MASK)
        self.assertFalse(self.backend.app_secret)
        self.assertEqual(self.backend._connector_secret("api_token"), "tok-plain-123")

        self.backend.api_token = False
        self.assertIsNone(self.backend._connector_secret("api_token"))

    def test_only_connector_managers_read_or_write_a_declared_secret(self):
        user = new_test_user(self.env, "connector-user", groups="connector_base.group_connector_user")
        backend = self.backend.with_user(user)
        self.assertEqual(backend.name, "Test backend")
        with self.assertRaises(AccessError):
            backend.read(["api_token"])
        with self.assertRaises(AccessError):
            backend.write({"api_token": "stolen"})

    def test_copying_a_backend_leaves_its_secrets_behind(self):
        self.backend.api_token = "tok-plain-123"
        copy = self.backend.copy()
        self.assertIsNone(copy._connector_secret("api_token"))
