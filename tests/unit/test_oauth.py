import time

import pytest

from odoo.addons.connector_base.lib import errors, oauth
from odoo.addons.connector_base.lib.http_client import InvalidResponseError
from odoo.addons.connector_base.lib.oauth import (
    InvalidState,
    OAuthGrantError,
    StaticToken,
    TokenAuthClient,
    TokenEndpointClient,
    TokenProvider,
    TokenSet,
)
from odoo.addons.connector_base.tests.emulator import Emulator, EmulatorHTTPError

DB_SECRET = "database-secret-0123"
CLAIMS = {"model": "podio.backend", "id": 7, "uid": 2, "nonce": "n-1", "exp": 2_000_000_000}
CLIENT_SECRET = "client-secret-5678"
REFRESH = "refresh-secret-abcd"
CODE = "auth-code-9999"


# ---------------------------------------------------------------- state


def test_a_signed_state_reads_back_its_claims():
    state = oauth.sign_state(DB_SECRET, CLAIMS)

    assert oauth.read_state(DB_SECRET, state, now=CLAIMS["exp"] - 1) == CLAIMS


def test_a_state_is_url_safe():
    state = oauth.sign_state(DB_SECRET, {**CLAIMS, "model": "é/+?&"})

    assert all(char.isalnum() or char in "-_." for char in state)


@pytest.mark.parametrize(
    ("make_state", "reason"),
    [
        (lambda state: state + "x", "signature"),
        (
            lambda state: (
                oauth.sign_state(DB_SECRET, {**CLAIMS, "id": 8}).split(".")[0] + "." + state.split(".")[1]
            ),
            "signature",
        ),
        (lambda state: oauth.sign_state("other-database", CLAIMS), "signature"),
        (lambda state: state.replace(".", ""), "malformed"),
        (lambda state: state + ".extra", "malformed"),
        (lambda state: None, "malformed"),
        (lambda state: oauth.sign_state(DB_SECRET, {"id": 7}), "malformed"),
    ],
)
def test_a_tampered_or_foreign_state_is_refused(make_state, reason):
    state = oauth.sign_state(DB_SECRET, CLAIMS)

    with pytest.raises(InvalidState) as raised:
        oauth.read_state(DB_SECRET, make_state(state), now=0)
    assert raised.value.reason == reason


def test_an_expired_state_is_refused():
    state = oauth.sign_state(DB_SECRET, CLAIMS)

    with pytest.raises(InvalidState) as raised:
        oauth.read_state(DB_SECRET, state, now=CLAIMS["exp"] + 1)
    assert raised.value.reason == "expired"


# ---------------------------------------------------------------- token sets


def test_token_sets_compute_expiry_from_expires_in():
    tokens = TokenSet.from_response(
        {"access_token": "a", "refresh_token": "r", "expires_in": 28800, "token_type": "bearer"}, now=1000
    )

    assert tokens == TokenSet("a", "r", 29800)
    assert not tokens.expires_within(300, now=1000)
    assert tokens.expires_within(300, now=29600)


def test_a_token_without_lifetime_never_expires_soon():
    tokens = TokenSet.from_response({"access_token": "a", "expires_in": "soon"}, now=0)

    assert tokens.expires_at is None
    assert not tokens.expires_within(10**9)


@pytest.mark.parametrize("payload", [{"token_type": "bearer"}, {"access_token": ""}, b"access_token=a", None])
def test_an_answer_without_access_token_is_an_invalid_response(payload):
    with pytest.raises(InvalidResponseError):
        TokenSet.from_response(payload)


# ---------------------------------------------------------------- token endpoint


class TokenEmulator(Emulator):
    """A token endpoint that knows one client, one code and one rotating refresh token."""

    def __init__(self):
        super().__init__()
        self.refresh_token = REFRESH
        self.issued = 0
        self.router.add("POST", "/oauth/token", self.token)
        self.router.add("GET", "/me", self.me)

    def token(self, request):
        form = request.form
        if (form.get("client_id"), form.get("client_secret")) != ("client-1", CLIENT_SECRET):
            raise EmulatorHTTPError(401, {"error": "invalid_client"})
        granted = {
            "authorization_code": form.get("code") == CODE,
            "refresh_token": form.get("refresh_token") == self.refresh_token,
            "client_credentials": True,
        }
        if not granted.get(form.get("grant_type")):
            # Echoes the refused value, as some platforms do, to prove the client masks it.
            raise EmulatorHTTPError(400, {"error": "invalid_grant", "error_description": f"bad {form}"})
        self.issued += 1
        self.refresh_token = f"refresh-{self.issued}"
        return {
            "access_token": f"access-{self.issued}",
            "refresh_token": self.refresh_token,
            "expires_in": 3600,
        }

    def me(self, request):
        sent = request.headers.get("Authorization")
        if sent != f"Bearer access-{self.issued}":
            raise EmulatorHTTPError(
                401, {"error": "invalid_token", "error_description": f"{sent} is not valid"}
            )
        return {"id": "me"}


@pytest.fixture
def platform():
    with TokenEmulator() as emulator:
        yield emulator


def token_client(platform, secret=CLIENT_SECRET):
    return TokenEndpointClient(
        platform.url("/oauth/token"), client_id="client-1", client_secret=secret, backoff_factor=0.01
    )


def test_the_code_is_exchanged_with_client_credentials_in_the_form_body(platform):
    before = time.time()
    with token_client(platform) as client:
        tokens = client.fetch("authorization_code", code=CODE, redirect_uri="https://odoo/cb")

    assert tokens.access_token == "access-1"
    assert tokens.refresh_token == "refresh-1"
    assert before + 3600 <= tokens.expires_at <= time.time() + 3600
    sent = platform.requests[0]
    assert sent.content_type == "application/x-www-form-urlencoded"
    assert sent.form == {
        "grant_type": "authorization_code",
        "client_id": "client-1",
        "client_secret": CLIENT_SECRET,
        "code": CODE,
        "redirect_uri": "https://odoo/cb",
    }


def test_parameters_left_as_none_are_not_sent(platform):
    with token_client(platform) as client:
        client.fetch("client_credentials", scope=None)

    assert "scope" not in platform.requests[0].form


def test_a_refused_grant_is_a_permanent_oauth_error_without_secrets(platform):
    with token_client(platform) as client, pytest.raises(OAuthGrantError) as raised:
        client.fetch("refresh_token", refresh_token="refresh-revoked-77")

    error = raised.value
    assert error.status == 400
    assert error.platform_code == "invalid_grant"
    assert not error.retryable
    assert isinstance(error, errors.AuthenticationError)
    assert "refresh-revoked-77" not in str(error)
    assert CLIENT_SECRET not in str(error)


def test_a_wrong_client_is_an_oauth_error(platform):
    with token_client(platform, secret="wrong") as client, pytest.raises(OAuthGrantError):
        client.fetch("client_credentials")


def test_a_token_endpoint_outage_stays_retryable(platform):
    platform.faults.add(503, times=3)

    with token_client(platform) as client, pytest.raises(errors.ServerError) as raised:
        client.fetch("client_credentials")
    assert raised.value.retryable


# ---------------------------------------------------------------- token-authenticated clients


class RefreshingTokens(TokenProvider):
    """Keeps tokens in memory and refreshes them at the emulator, as a backend would."""

    def __init__(self, platform, tokens):
        self.platform = platform
        self.tokens = tokens
        self.refreshes = 0

    def access_token(self):
        return self.tokens.access_token

    def expires_soon(self):
        return self.tokens.expires_within(300)

    def refresh(self):
        with token_client(self.platform) as client:
            self.tokens = client.fetch("refresh_token", refresh_token=self.tokens.refresh_token)
        self.refreshes += 1
        return True

    def secrets(self):
        return [self.tokens.refresh_token, CLIENT_SECRET]


def test_a_token_about_to_expire_is_refreshed_before_the_call(platform):
    platform.issued = 1
    tokens = RefreshingTokens(platform, TokenSet("access-1", REFRESH, time.time() + 60))

    with TokenAuthClient(platform.base_url, token_provider=tokens) as client:
        assert client.get("/me") == {"id": "me"}

    assert tokens.refreshes == 1
    assert [request.path for request in platform.requests] == ["/oauth/token", "/me"]


def test_a_rejected_token_is_refreshed_once_and_the_call_retried(platform):
    platform.issued = 1
    tokens = RefreshingTokens(platform, TokenSet("access-0", REFRESH, time.time() + 3600))

    with TokenAuthClient(platform.base_url, token_provider=tokens) as client:
        assert client.get("/me") == {"id": "me"}

    assert tokens.refreshes == 1
    assert [request.path for request in platform.requests] == ["/me", "/oauth/token", "/me"]


def test_podio_style_clients_send_their_own_scheme(platform):
    class PodioLikeClient(TokenAuthClient):
        auth_scheme = "OAuth2"

    client = PodioLikeClient(platform.base_url, token_provider=StaticToken("tok-1"))
    with client, pytest.raises(errors.AuthenticationError):
        client.get("/me")

    assert platform.requests[0].headers["Authorization"] == "OAuth2 tok-1"


def test_a_static_token_is_never_refreshed_and_is_masked_in_errors(platform):
    client = TokenAuthClient(platform.base_url, token_provider=StaticToken("pasted-token-1"))
    with client, pytest.raises(errors.AuthenticationError) as raised:
        client.get("/me")

    assert platform.count("/me") == 1
    assert "pasted-token-1" not in str(raised.value)
