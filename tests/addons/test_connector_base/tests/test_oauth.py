import time
from unittest.mock import patch
from urllib.parse import parse_qs, urlsplit

from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.connector_base.lib import oauth
from odoo.addons.connector_base.lib.errors import AuthenticationError
from odoo.addons.connector_base.lib.oauth import TokenAuthClient, TokenSet
from odoo.addons.connector_base.tests.common import EmulatorRequestsMixin
from odoo.addons.connector_base.tests.emulator import Emulator, EmulatorHTTPError

CLIENT_ID = "client-test-1"
CLIENT_SECRET = "client-secret-plain-4242"
CODE = "auth-code-plain-9999"
TOKEN_ROUTE = "/oauth/token"
CALLBACK = "/connector/oauth/callback"


class PlatformEmulator(Emulator):
    """An OAuth platform: codes work once, refresh tokens rotate, /me wants the current token."""

    def __init__(self):
        super().__init__()
        self.code = CODE
        self.access_token = "access-0"
        self.refresh_token = "refresh-0"
        self.issued = 0
        self.router.add("POST", TOKEN_ROUTE, self.token)
        self.router.add("GET", "/me", self.me)

    def token(self, request):
        form = request.form
        if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            raise EmulatorHTTPError(401, {"error": "invalid_client"})
        granted = {
            "authorization_code": self.code and form.get("code") == self.code,
            "refresh_token": form.get("refresh_token") == self.refresh_token,
            "client_credentials": True,
            "password": (form.get("username"), form.get("password")) == ("ana", "password-plain-1"),
        }.get(form.get("grant_type"))
        if not granted:
            raise EmulatorHTTPError(400, {"error": "invalid_grant", "error_description": "grant refused"})
        if form["grant_type"] == "authorization_code":
            self.code = None
        self.issued += 1
        self.access_token = f"access-plain-{self.issued}"
        self.refresh_token = f"refresh-plain-{self.issued}"
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "token_type": "bearer",
            "expires_in": 3600,
        }

    def me(self, request):
        if request.headers.get("Authorization") != f"Bearer {self.access_token}":
            raise EmulatorHTTPError(401, {"error": "invalid_token"})
        return {"id": "me"}

    def token_requests(self):
        return [request.form for request in self.requests if request.path == TOKEN_ROUTE]


class PlatformClient(TokenAuthClient):
    platform = "Test platform"


@tagged("post_install", "-at_install")
class TestOAuth(EmulatorRequestsMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.env.ref("base.user_admin")
        cls.backend = cls.env["test.connector.oauth.backend"].create(
            {"name": "OAuth backend", "oauth_client_id": CLIENT_ID, "oauth_client_secret": CLIENT_SECRET}
        )

    def setUp(self):
        super().setUp()
        self.platform = PlatformEmulator().start()
        self.addCleanup(self.platform.stop)
        self.backend.oauth_token_url = self.platform.url(TOKEN_ROUTE)

    # ------------------------------------------------------------------ helpers
    def connect_as(self, user):
        """Press Connect as ``user``; return the state sent to the platform."""
        action = self.backend.with_user(user).action_oauth_connect()
        return parse_qs(urlsplit(action["url"]).query)["state"][0]

    def callback(self, state, code=CODE, **params):
        query = {"state": state, **({"code": code} if code else {}), **params}
        response = self.opener.get(
            self.base_url() + CALLBACK, params=query, allow_redirects=False, timeout=10
        )
        self.env.invalidate_all()
        return response

    def assertNotConnected(self):
        self.assertEqual(self.backend.oauth_state, "disconnected")
        self.assertIsNone(self.backend._connector_secret("oauth_access_token"))
        self.assertIsNone(self.backend._connector_secret("oauth_refresh_token"))

    def connected_with(self, access, refresh, expires_in):
        """Tokens saved by an earlier transaction, as when a job finds them."""
        self.env.flush_all()
        with self.registry.cursor() as cr:
            backend = self.backend.with_env(self.env(cr=cr))
            backend._oauth_save_tokens(TokenSet(access, refresh, time.time() + expires_in))
        self.env.invalidate_all()
        self.platform.access_token, self.platform.refresh_token = access, refresh

    def refresh_jobs(self):
        return self.env["connector.sync.job"].search(
            [
                ("backend_model", "=", self.backend._name),
                ("backend_id", "=", self.backend.id),
                ("kind", "=", "token_refresh"),
            ]
        )

    def notifications(self):
        """Messages on the backend addressed to someone (creation tracking is not)."""
        return self.env["mail.message"].search(
            [
                ("model", "=", self.backend._name),
                ("res_id", "=", self.backend.id),
                ("partner_ids", "!=", False),
            ]
        )

    # ------------------------------------------------------------------ authorization code
    def test_connect_sends_the_user_to_the_platform_with_a_signed_state(self):
        action = self.backend.with_user(self.admin).action_oauth_connect()

        self.assertEqual(action["type"], "ir.actions.act_url")
        url = urlsplit(action["url"])
        self.assertEqual(f"{url.scheme}://{url.netloc}{url.path}", self.backend._oauth_authorize_endpoint)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        self.assertEqual(query["response_type"], "code")
        self.assertEqual(query["client_id"], CLIENT_ID)
        self.assertEqual(query["redirect_uri"], self.base_url() + CALLBACK)
        secret = self.env["ir.config_parameter"].get_param("database.secret")
        claims = oauth.read_state(secret, query["state"])
        self.assertEqual(
            (claims["model"], claims["id"], claims["uid"]),
            (self.backend._name, self.backend.id, self.admin.id),
        )

    def test_callback_stores_encrypted_tokens_and_connects(self):
        self.authenticate("admin", "admin")
        state = self.connect_as(self.admin)

        response = self.callback(state)

        self.assertEqual(response.status_code, 303)
        self.assertTrue(
            response.headers["Location"].endswith(f"/odoo/{self.backend._name}/{self.backend.id}")
        )
        self.assertEqual(self.backend.oauth_state, "connected")
        self.assertEqual(self.backend._connector_secret("oauth_access_token"), "access-plain-1")
        self.assertEqual(self.backend._connector_secret("oauth_refresh_token"), "refresh-plain-1")
        self.assertAlmostEqual(self.backend.oauth_token_expires_at.timestamp(), time.time() + 3600, delta=60)
        [exchange] = self.platform.token_requests()
        self.assertEqual(exchange["grant_type"], "authorization_code")
        self.assertEqual(exchange["redirect_uri"], self.base_url() + CALLBACK)
        self.env.cr.execute(
            "SELECT ciphertext FROM connector_credential WHERE res_model = %s", [self.backend._name]
        )
        stored = " ".join(row[0] for row in self.env.cr.fetchall())
        for plaintext in ("access-plain-1", "refresh-plain-1", CLIENT_SECRET):
            self.assertNotIn(plaintext, stored)
        # Every token is masked in job errors.
        self.assertIn("refresh-plain-1", self.backend._connector_secret_values())
        # A refresh is planned ahead of expiry, so an idle backend stays connected.
        self.assertEqual(len(self.refresh_jobs()), 1)
        self.assertLess(self.refresh_jobs().next_attempt_at, self.backend.oauth_token_expires_at)

    def test_a_callback_route_of_the_platforms_own_is_the_redirect_uri_and_connects(self):
        own_path = "/connector/test/oauth/callback"
        self.authenticate("admin", "admin")
        with patch.object(type(self.backend), "_oauth_callback_path", own_path):
            self.backend.invalidate_recordset(["oauth_redirect_uri"])
            action = self.backend.with_user(self.admin).action_oauth_connect()
            query = parse_qs(urlsplit(action["url"]).query)
            self.assertEqual(query["redirect_uri"], [self.base_url() + own_path])

            response = self.opener.get(
                self.base_url() + own_path,
                params={"state": query["state"][0], "code": CODE},
                allow_redirects=False,
                timeout=10,
            )
            self.env.invalidate_all()

        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.backend.oauth_state, "connected")
        [exchange] = self.platform.token_requests()
        self.assertEqual(exchange["redirect_uri"], self.base_url() + own_path)

    def test_a_tampered_state_is_refused_and_stores_nothing(self):
        self.authenticate("admin", "admin")
        payload, signature = self.connect_as(self.admin).split(".")
        forged = oauth.sign_state("guessed-secret", {"model": self.backend._name, "id": self.backend.id})

        for state in (f"{payload}.{signature[:-2]}xx", forged, "garbage"):
            with self.subTest(state=state):
                response = self.callback(state)
                self.assertEqual(response.status_code, 400)
                self.assertIn("not valid", response.text)
        self.assertNotConnected()
        self.assertFalse(self.platform.token_requests())

    def test_a_replayed_state_is_refused(self):
        self.authenticate("admin", "admin")
        state = self.connect_as(self.admin)
        self.assertEqual(self.callback(state).status_code, 303)

        replayed = self.callback(state)

        self.assertEqual(replayed.status_code, 400)
        self.assertIn("already used", replayed.text)
        self.assertEqual(len(self.platform.token_requests()), 1)
        self.assertEqual(self.backend._connector_secret("oauth_access_token"), "access-plain-1")

    def test_an_expired_state_is_refused_and_stores_nothing(self):
        self.authenticate("admin", "admin")
        secret = self.env["ir.config_parameter"].get_param("database.secret")
        claims = oauth.read_state(secret, self.connect_as(self.admin))
        expired = oauth.sign_state(secret, {**claims, "exp": int(time.time()) - 1})

        response = self.callback(expired)

        self.assertEqual(response.status_code, 400)
        self.assertIn("took too long", response.text)
        self.assertNotConnected()
        self.assertFalse(self.platform.token_requests())

    def test_a_state_started_by_another_user_is_refused(self):
        self.authenticate("admin", "admin")
        other_manager = new_test_user(
            self.env, "oauth_manager", groups="connector_base.group_connector_manager"
        )

        response = self.callback(self.connect_as(other_manager))

        self.assertEqual(response.status_code, 400)
        self.assertIn("another user", response.text)
        self.assertNotConnected()

    def test_only_connector_managers_complete_an_authorization(self):
        new_test_user(self.env, "oauth_user", groups="connector_base.group_connector_user")
        state = self.connect_as(self.admin)
        self.authenticate("oauth_user", "oauth_user")

        response = self.callback(state)

        self.assertEqual(response.status_code, 400)
        self.assertIn("Only connector managers", response.text)
        self.assertNotConnected()

    def test_a_denial_on_the_platform_uses_up_the_state_and_stores_nothing(self):
        self.authenticate("admin", "admin")
        state = self.connect_as(self.admin)

        denied = self.callback(state, code=None, error="access_denied")

        self.assertEqual(denied.status_code, 400)
        self.assertIn("access_denied", denied.text)
        self.assertIn("already used", self.callback(state).text)
        self.assertNotConnected()

    def test_a_code_the_platform_refuses_is_reported_and_stores_nothing(self):
        self.authenticate("admin", "admin")

        response = self.callback(self.connect_as(self.admin), code="stolen-code")

        self.assertEqual(response.status_code, 400)
        self.assertIn("refused the authorization", response.text)
        self.assertNotIn(CLIENT_SECRET, response.text)
        self.assertNotConnected()

    # ------------------------------------------------------------------ grants without a browser
    def test_client_credentials_and_password_grants_store_tokens(self):
        self.backend.oauth_scope = "organization_id"
        self.backend._oauth_fetch_token_client_credentials()
        self.assertEqual(self.backend.oauth_state, "connected")
        self.assertEqual(self.backend._connector_secret("oauth_access_token"), "access-plain-1")

        self.backend.write({"oauth_username": "ana", "oauth_password": "password-plain-1"})
        self.backend._oauth_fetch_token_password("oauth_username", "oauth_password")
        self.assertEqual(self.backend._connector_secret("oauth_access_token"), "access-plain-2")

        client_credentials, password = self.platform.token_requests()
        self.assertEqual(
            (client_credentials["grant_type"], client_credentials["scope"]),
            ("client_credentials", "organization_id"),
        )
        self.assertEqual((password["username"], password["password"]), ("ana", "password-plain-1"))

    def test_disconnect_forgets_the_tokens_but_not_the_client(self):
        self.connected_with("access-plain-7", "refresh-plain-7", 3600)

        self.backend.action_oauth_disconnect()

        self.assertNotConnected()
        self.assertEqual(self.backend._connector_secret("oauth_client_secret"), CLIENT_SECRET)

    # ------------------------------------------------------------------ refreshing
    def client(self):
        return self.backend._oauth_client(PlatformClient, self.platform.base_url)

    def refused_call(self):
        """The error of a call that must fail, keeping what the refresh committed on the side.

        Odoo's assertRaises rolls back to a savepoint, and in test mode the refresh
        transaction shares the test's connection: it would be rolled back too.
        """
        with self.client() as client:
            try:
                client.get("/me")
            except AuthenticationError as error:
                return error
        return self.fail("the platform call should have been refused")

    def test_a_token_about_to_expire_is_refreshed_before_the_call(self):
        self.connected_with("access-plain-0", "refresh-plain-0", 60)

        with self.client() as client:
            self.assertEqual(client.get("/me"), {"id": "me"})

        self.assertEqual([request.path for request in self.platform.requests], [TOKEN_ROUTE, "/me"])
        self.assertEqual(self.backend._connector_secret("oauth_access_token"), "access-plain-1")
        self.assertEqual(self.backend._connector_secret("oauth_refresh_token"), "refresh-plain-1")
        self.assertAlmostEqual(self.backend.oauth_token_expires_at.timestamp(), time.time() + 3600, delta=60)

    def test_a_rejected_token_is_refreshed_once_and_the_call_retried(self):
        self.connected_with("access-plain-0", "refresh-plain-0", 3600)
        self.platform.access_token = "revoked-by-the-platform"

        with self.client() as client:
            self.assertEqual(client.get("/me"), {"id": "me"})

        self.assertEqual([request.path for request in self.platform.requests], ["/me", TOKEN_ROUTE, "/me"])
        self.assertEqual(self.backend._connector_secret("oauth_refresh_token"), "refresh-plain-1")

    def test_tokens_saved_by_this_transaction_are_refreshed_in_it(self):
        self.backend._oauth_fetch_token_client_credentials()
        self.platform.access_token = "revoked-by-the-platform"

        # A transaction of its own would wait forever for the rows this one just wrote.
        separate = patch.object(
            type(self.registry), "cursor", side_effect=AssertionError("separate transaction")
        )
        with separate, self.client() as client:
            self.assertEqual(client.get("/me"), {"id": "me"})

        self.assertEqual(self.backend._connector_secret("oauth_access_token"), "access-plain-2")

    def test_a_refresh_already_done_by_another_worker_is_adopted(self):
        self.connected_with("access-plain-0", "refresh-plain-0", 3600)
        with self.client() as client:
            client.get("/me")
            # Another job refreshes meanwhile; the rotated refresh token would refuse a second refresh.
            self.connected_with("access-plain-5", "refresh-plain-5", 3600)

            self.assertEqual(client.get("/me"), {"id": "me"})

        self.assertFalse(self.platform.token_requests())
        self.assertEqual(self.platform.requests[-1].headers["Authorization"], "Bearer access-plain-5")

    def test_a_refused_refresh_needs_reauth_notifies_managers_once_and_keeps_everything(self):
        self.connected_with("access-plain-0", "refresh-plain-revoked", 60)
        self.platform.refresh_token = "refresh-plain-other"
        partner = self.env["res.partner"].create({"name": "Bound partner"})
        binding = self.env["connector.external.binding"].create(
            {
                "backend_model": self.backend._name,
                "backend_id": self.backend.id,
                "external_type": "contact",
                "external_id": "ext-1",
                "res_model": "res.partner",
                "res_id": partner.id,
            }
        )

        self.assertIsInstance(self.refused_call(), AuthenticationError)

        self.assertEqual(self.backend.oauth_state, "needs_reauth")
        self.assertFalse(self.backend.connected)
        [notification] = self.notifications()
        self.assertIn(self.admin.partner_id, notification.partner_ids)
        self.assertIn("presses Connect", str(notification.body))
        self.assertTrue(binding.exists())
        self.assertTrue(partner.exists())
        self.assertEqual(self.backend._connector_secret("oauth_refresh_token"), "refresh-plain-revoked")

        # Later calls fail at once: no new refresh attempt, no second notification.
        self.assertIsInstance(self.refused_call(), AuthenticationError)
        self.assertEqual(len(self.platform.token_requests()), 1)
        self.assertEqual(len(self.notifications()), 1)

    def test_the_refresh_job_renews_ahead_of_expiry_and_plans_the_next_one(self):
        self.connected_with("access-plain-0", "refresh-plain-0", 600)
        job = self.refresh_jobs()
        # What the runner's claim does, in SQL: the enqueue below reads the table directly.
        job.write({"state": "running"})
        job.flush_recordset()

        result = self.backend._job_refresh_token(job)

        self.assertEqual(result["updated"], 1)
        self.assertEqual(self.backend._connector_secret("oauth_access_token"), "access-plain-1")
        planned = self.refresh_jobs().filtered(lambda pending: pending.state == "pending")
        self.assertEqual(len(planned), 1)
        self.assertGreater(planned.next_attempt_at, job.next_attempt_at)

    def test_an_early_refresh_job_only_plans_the_next_one(self):
        self.connected_with("access-plain-0", "refresh-plain-0", 3 * 3600)
        job = self.refresh_jobs()
        # What the runner's claim does, in SQL: the enqueue below reads the table directly.
        job.write({"state": "running"})
        job.flush_recordset()

        result = self.backend._job_refresh_token(job)

        self.assertEqual(result["skipped"], 1)
        self.assertFalse(self.platform.token_requests())
        self.assertEqual(len(self.refresh_jobs().filtered(lambda pending: pending.state == "pending")), 1)
