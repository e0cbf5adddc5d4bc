from odoo.exceptions import UserError

from .common import SproutCase


class TestConnection(SproutCase):
    def test_test_connection_with_an_api_token_reads_the_customer_id(self):
        result = self.backend.action_test_connection()

        self.assertIn("ACME Social (687751)", result["params"]["message"])
        self.assertEqual(self.backend.customer_id, "687751")
        self.assertEqual(self.backend.customer_name, "ACME Social")
        self.assertEqual(self.sprout.requests[0].headers["Authorization"], "Bearer " + self.sprout_token())

    def sprout_token(self):
        return next(iter(self.sprout.api_tokens))

    def test_test_connection_with_client_credentials_gets_a_token_with_the_configured_scope(self):
        self.use_client_credentials(scope="687751")

        self.backend.action_test_connection()

        self.assertEqual(self.backend.customer_id, "687751")
        self.assertEqual(len(self.sprout.token_requests), 1)
        self.assertEqual(self.sprout.token_requests[0]["grant_type"], "client_credentials")
        self.assertEqual(self.sprout.token_requests[0]["scope"], "687751")
        self.assertEqual(self.backend.oauth_state, "connected")
        self.assertTrue(self.backend.oauth_token_expires_at)

    def test_the_client_credentials_token_is_kept_and_renewed_on_a_401(self):
        self.use_client_credentials()
        self.backend.action_test_connection()
        first_token = self.backend._connector_secret("oauth_access_token")
        self.sync_metadata()
        self.assertEqual(len(self.sprout.token_requests), 1, "the cached token served the sync")

        self.sprout.expire_access_tokens()
        self.sync_metadata()

        self.assertEqual(len(self.sprout.token_requests), 2)
        self.assertNotEqual(self.backend._connector_secret("oauth_access_token"), first_token)
        self.assertEqual(len(self.backend.profile_ids), 3)
        self.assertFalse(self.jobs(state="failed"))

    def test_the_client_credentials_token_is_renewed_before_it_expires(self):
        self.sprout.token_lifetime = 60  # within the renewal margin at once
        self.use_client_credentials()
        self.backend.action_test_connection()
        before = len(self.sprout.token_requests)

        self.sync_metadata()

        self.assertGreater(len(self.sprout.token_requests), before)
        self.assertEqual(self.sprout.count("/v1/{customer_id}/metadata/customer"), 1, "no 401 was needed")
        self.assertEqual(len(self.backend.profile_ids), 3)

    def test_a_refused_api_token_holds_the_backend_and_its_jobs(self):
        self.sprout.revoke_api_token()

        self.sync_metadata()

        self.assertTrue(self.backend.needs_reauthorization)
        self.assertTrue(self.backend.paused)
        self.assertEqual(self.jobs(method_name="_job_sync_metadata").state, "pending")
        with self.assertRaises(UserError):
            self.backend.action_test_connection()

    def test_a_wrong_client_secret_is_said_in_words_without_the_secret(self):
        self.use_client_credentials()
        self.backend.oauth_client_secret = "not-the-secret"

        with self.assertRaises(UserError) as raised:
            self.backend.action_test_connection()

        self.assertNotIn("not-the-secret", str(raised.exception))

    def test_health_reads_the_customer_and_the_profiles_to_sync(self):
        self.sync_metadata()
        self.tick("ACME")

        checks = self.backend._health_checks()

        labels = {label: (ok, detail) for label, ok, detail in checks}
        self.assertTrue(labels["Sprout Social credential"][0])
        self.assertIn("687751", labels["Sprout Social credential"][1])
        self.assertEqual(labels["Profiles to sync"], (True, "1 of 3 profile(s)"))
