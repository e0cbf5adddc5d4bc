from odoo.exceptions import UserError

from .common import PodioCase


class TestConnection(PodioCase):
    def test_the_service_account_signs_in_with_the_password_grant(self):
        self.backend.action_connect()

        self.assertEqual(self.backend.oauth_state, "connected")
        self.assertEqual(self.backend.connected_as, "1 organisation(s): Demo Org")
        self.assertTrue(self.backend._connector_secret("oauth_refresh_token"))
        self.assertEqual(self.podio.requests[-1].headers["Authorization"][:7], "OAuth2 ")

    def test_app_authentication_signs_in_as_the_app(self):
        self.backend.write(
            {
                "auth_mode": "app",
                "auth_app_id": str(self.app_id),
                "auth_app_token": self.podio.app_token(self.app_id),
            }
        )

        self.backend.action_connect()

        self.assertEqual(self.backend.connected_as, "app Leads & Clients")

    def test_a_wrong_password_is_refused_with_a_clear_error_and_stays_disconnected(self):
        self.backend.podio_password = "not-the-password"

        with self.assertRaises(UserError) as raised:
            self.backend.action_connect()

        self.assertNotIn("not-the-password", str(raised.exception))
        self.assertEqual(self.backend.oauth_state, "disconnected")

    def test_an_expired_access_token_is_refreshed_and_the_job_goes_on(self):
        self.connect()
        self.podio.expire_access_tokens()
        self.backend.invalidate_recordset()

        self.link_app()

        self.assertFalse(self.jobs(state="failed"))
        self.assertEqual(self.backend.oauth_state, "connected")
        self.assertTrue(self.partner_of(self.sample_item("Ana Silva")))

    def test_a_dead_refresh_token_holds_the_backend_for_a_new_connection(self):
        self.connect()
        self.link_app()
        self.podio.expire_access_tokens()
        self.podio.revoke_refresh_tokens()

        self.backend.action_sync_now()
        self.run_jobs()

        self.assertTrue(self.backend.needs_reauthorization)
        [held] = self.jobs(method_name="_job_import_app", state="pending")
        self.assertTrue(held)
        self.backend.action_connect()  # the password grant gives a working token again
        self.assertFalse(self.backend.needs_reauthorization)
        self.run_jobs()
        self.assertEqual(held.state, "done")
