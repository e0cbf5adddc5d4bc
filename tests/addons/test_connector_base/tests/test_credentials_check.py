from unittest.mock import patch

from odoo.tests import TransactionCase

from odoo.addons.connector_base.lib.errors import AuthenticationError


class TestCredentialsCheck(TransactionCase):
    """What a connector gets from ``_connector_identify`` alone: whether its credentials work."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = cls.env["test.connector.oauth.backend"].create({"name": "OAuth backend"})
        cls.Backend = type(cls.backend)

    def check(self, ready=True, identify=None):
        with (
            patch.object(self.Backend, "_connector_credentials_ready", lambda backend: ready),
            patch.object(self.Backend, "_connector_identify", identify or (lambda backend: {"id": "me"})),
        ):
            return self.backend._connector_check_credentials()

    def test_credentials_not_set_do_not_work_and_the_platform_is_not_asked(self):
        asked = []
        self.assertIs(self.check(ready=False, identify=asked.append), False)
        self.assertEqual(asked, [])

    def test_credentials_the_platform_names_work(self):
        self.assertIs(self.check(), True)

    def test_a_refusal_of_the_identify_call_is_left_for_the_caller(self):
        def refused(backend):
            raise AuthenticationError("invalid token", status=401)

        with self.assertRaises(AuthenticationError):
            self.check(identify=refused)

    def test_a_platform_without_an_identify_call_cannot_tell(self):
        with patch.object(self.Backend, "_connector_credentials_ready", lambda backend: True):
            self.assertIsNone(self.backend._connector_check_credentials())
