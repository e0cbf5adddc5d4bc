from urllib.parse import parse_qs, urlsplit

from odoo.addons.connector_sprout.tests.emulator import (
    AUTHORIZE_PATH,
    DEMO_USER_CLIENT_ID,
    DEMO_USER_CLIENT_SECRET,
    TOKEN_PATH,
)

from .common import SproutCase

CALLBACK = "/connector/sprout/oauth/callback"


class TestOAuthUser(SproutCase):
    """The user-based OAuth client: Connect, Sprout's consent, back to Sprout's callback route."""

    def setUp(self):
        super().setUp()
        self.sprout.register_user_client(
            DEMO_USER_CLIENT_ID, DEMO_USER_CLIENT_SECRET, self.base_url() + CALLBACK
        )
        self.backend.write(
            {
                "auth_type": "authorization_code",
                "api_token": False,
                "oauth_client_id": DEMO_USER_CLIENT_ID,
                "oauth_client_secret": DEMO_USER_CLIENT_SECRET,
                "oauth_authorize_url": self.sprout.url(AUTHORIZE_PATH),
                "oauth_token_url": self.sprout.url(TOKEN_PATH),
            }
        )
        self.authenticate("admin", "admin")

    def connect(self):
        """Press Connect, pass Sprout's consent page; return Odoo's answer to the callback."""
        action = self.backend.with_user(self.env.ref("base.user_admin")).action_oauth_connect()
        consent = self.opener.get(action["url"], allow_redirects=False, timeout=10)
        self.assertEqual(consent.status_code, 302)
        back = consent.headers["Location"]
        self.assertTrue(back.startswith(self.base_url() + CALLBACK))
        answer = self.opener.get(back, allow_redirects=False, timeout=10)
        self.env.invalidate_all()
        return answer

    def test_connect_sends_sprouts_own_redirect_uri_and_the_callback_connects(self):
        action = self.backend.with_user(self.env.ref("base.user_admin")).action_oauth_connect()
        url = urlsplit(action["url"])
        self.assertEqual(f"{url.scheme}://{url.netloc}{url.path}", self.sprout.url(AUTHORIZE_PATH))
        self.assertEqual(parse_qs(url.query)["redirect_uri"], [self.base_url() + CALLBACK])

        answer = self.connect()

        self.assertEqual(answer.status_code, 303)
        self.assertTrue(answer.headers["Location"].endswith(f"/odoo/sprout.backend/{self.backend.id}"))
        self.assertEqual(self.backend.oauth_state, "connected")
        [exchange] = self.sprout.token_requests
        self.assertEqual(exchange["grant_type"], "authorization_code")
        self.assertEqual(exchange["redirect_uri"], self.base_url() + CALLBACK)
        self.backend.action_test_connection()
        self.assertEqual(self.backend.customer_id, "687751")

    def test_the_profiles_and_inbox_come_in_on_the_connected_users_token(self):
        self.connect()
        self.sync_metadata()
        self.tick("ACME Portugal")

        self.poll()

        self.assertEqual(len(self.backend.profile_ids), 3)
        self.assertEqual(len(self.messages()), 3)
        self.assertFalse(self.jobs(state="failed"))

    def test_an_expired_token_is_renewed_with_the_refresh_token_where_sprout_gives_one(self):
        self.sprout.issue_refresh_tokens = True
        self.connect()
        self.sprout.expire_access_tokens()

        self.sync_metadata()

        self.assertEqual(
            [form["grant_type"] for form in self.sprout.token_requests],
            ["authorization_code", "refresh_token"],
        )
        self.assertEqual(len(self.backend.profile_ids), 3)
        self.assertFalse(self.backend.needs_reauthorization)

    def test_without_a_refresh_token_an_expired_token_asks_a_person_to_connect_again(self):
        self.connect()
        self.sprout.expire_access_tokens()

        self.sync_metadata()

        self.assertTrue(self.backend.needs_reauthorization)
        self.assertEqual(self.jobs(method_name="_job_sync_metadata").state, "pending")
        self.assertEqual(len(self.sprout.token_requests), 1, "nothing to renew it with")

    def test_access_denied_on_sprout_stores_nothing(self):
        self.sprout.consent = "deny"

        answer = self.connect()

        self.assertEqual(answer.status_code, 400)
        self.assertIn("access_denied", answer.text)
        self.assertEqual(self.backend.oauth_state, "disconnected")
        self.assertFalse(self.sprout.token_requests)

    def test_before_connect_a_sync_says_to_press_connect(self):
        self.sync_metadata()

        self.assertFalse(self.backend.profile_ids)
        self.assertIn("press Connect", self.jobs(method_name="_job_sync_metadata").error_message or "")
