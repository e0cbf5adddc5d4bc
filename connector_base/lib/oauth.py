"""OAuth 2.0 pieces that need no ORM.

- a signed, expiring ``state`` for the authorization-code flow;
- :class:`TokenEndpointClient`, which asks a token endpoint for tokens (any grant);
- :class:`TokenAuthClient`, the base of platform clients that send an access
  token, getting it from a :class:`TokenProvider` that may refresh it.

The backend model (``connector.oauth.mixin``) stores the tokens and provides
the refreshing provider.
"""

import base64
import binascii
import json
import time
from dataclasses import dataclass

from .errors import AuthenticationError
from .http_client import HttpClient, InvalidResponseError
from .signature import constant_time_equal, hmac_digest

# Domain separation: the database secret also signs other things.
_STATE_KEY_SCOPE = b"connector_base.oauth.state"
# Token request parameters that are not secret; every other value is masked in errors.
_PUBLIC_PARAMETERS = frozenset({"grant_type", "client_id", "redirect_uri", "scope"})


class InvalidState(Exception):
    """The ``state`` of an OAuth callback cannot be trusted; ``reason`` says why."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class OAuthGrantError(AuthenticationError):
    """The token endpoint refused the grant (revoked, expired or wrong client): a person must reconnect."""


def _b64encode(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _state_signature(secret, payload):
    key = hmac_digest(secret, _STATE_KEY_SCOPE)
    return _b64encode(hmac_digest(key, payload))


def sign_state(secret, claims):
    """An opaque, URL-safe ``state`` carrying ``claims`` (a JSON-able dict, ``exp`` included)."""
    payload = _b64encode(json.dumps(claims, sort_keys=True, separators=(",", ":")).encode())
    return f"{payload}.{_state_signature(secret, payload)}"


def read_state(secret, state, now=None):
    """The claims of a ``state`` made by :func:`sign_state` with ``secret``.

    Raises :class:`InvalidState` with reason ``malformed``, ``signature`` or
    ``expired`` (its ``exp`` claim, epoch seconds, is past).
    """
    if not isinstance(state, str) or state.count(".") != 1:
        raise InvalidState("malformed")
    payload, signature = state.split(".")
    if not constant_time_equal(_state_signature(secret, payload), signature):
        raise InvalidState("signature")
    try:
        claims = json.loads(_b64decode(payload))
    except (ValueError, binascii.Error):
        raise InvalidState("malformed") from None
    if not isinstance(claims, dict) or not isinstance(claims.get("exp"), int | float):
        raise InvalidState("malformed")
    if claims["exp"] < (time.time() if now is None else now):
        raise InvalidState("expired")
    return claims


@dataclass(frozen=True)
class TokenSet:
    """What a token endpoint granted; ``expires_at`` is in epoch seconds (None: not said)."""

    access_token: str
    refresh_token: str | None = None
    expires_at: float | None = None

    @classmethod
    def from_response(cls, payload, now=None):
        if not isinstance(payload, dict) or not payload.get("access_token"):
            raise InvalidResponseError("OAuth: the token endpoint answered without an access_token")
        try:
            lifetime = float(payload["expires_in"])
        except (KeyError, TypeError, ValueError):
            lifetime = None
        now = time.time() if now is None else now
        return cls(
            access_token=str(payload["access_token"]),
            refresh_token=payload.get("refresh_token") or None,
            expires_at=None if lifetime is None else now + lifetime,
        )

    def expires_within(self, seconds, now=None):
        if self.expires_at is None:
            return False
        return self.expires_at - (time.time() if now is None else now) <= seconds


class TokenEndpointClient(HttpClient):
    """POSTs form-encoded grants to one token endpoint, the client credentials in the body.

    That is how Podio, Smartsheet and Sprout take them (RFC 6749 §2.3.1). A
    400, 401 or 403 answer raises :class:`OAuthGrantError`.
    """

    platform = "OAuth"

    def __init__(self, token_url, *, client_id, client_secret=None, **options):
        super().__init__(token_url, **options)
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self._request_secrets = []

    def _error_class(self, status):
        if status in (400, 401, 403):
            return OAuthGrantError
        return super()._error_class(status)

    def _secrets(self):
        return [*super()._secrets(), *self._request_secrets]

    def fetch(self, grant_type, **params):
        """Ask for tokens with ``grant_type`` and its parameters; returns a :class:`TokenSet`."""
        body = {"grant_type": grant_type, "client_id": self.client_id}
        if self.client_secret:
            body["client_secret"] = self.client_secret
        body.update({name: value for name, value in params.items() if value is not None})
        self._request_secrets = [
            str(value) for name, value in body.items() if name not in _PUBLIC_PARAMETERS and value
        ]
        return TokenSet.from_response(self.post(self.token_url, data=body))


class TokenProvider:
    """Where a :class:`TokenAuthClient` gets its access token from."""

    def access_token(self):
        raise NotImplementedError

    def expires_soon(self):
        """True to refresh before the next call."""
        return False

    def refresh(self):
        """Get a new access token; True when one was obtained."""
        return False

    def secrets(self):
        """Values to mask in messages, beyond the access token itself."""
        return []


class StaticToken(TokenProvider):
    """A token that is pasted, not refreshed: personal access tokens, API tokens."""

    def __init__(self, token):
        self._token = token

    def access_token(self):
        return self._token


class TokenAuthClient(HttpClient):
    """Base of platform clients that authenticate with an access token in a header.

    Podio wants ``Authorization: OAuth2 <token>``: its client sets
    :attr:`auth_scheme`. Refreshing (before expiry and once on a 401) is
    delegated to the provider.
    """

    auth_scheme = "Bearer"

    def __init__(self, base_url, *, token_provider, **options):
        super().__init__(base_url, **options)
        self.token_provider = token_provider

    def _auth_headers(self):
        token = self.token_provider.access_token()
        return {"Authorization": f"{self.auth_scheme} {token}"} if token else {}

    def _token_expires_soon(self):
        return self.token_provider.expires_soon()

    def _refresh_token(self):
        return self.token_provider.refresh()

    def _secrets(self):
        return [*super()._secrets(), *self.token_provider.secrets()]
