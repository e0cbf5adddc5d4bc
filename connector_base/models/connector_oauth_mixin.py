import secrets
import time
from datetime import datetime
from urllib.parse import urlencode

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..fields import Secret
from ..lib import oauth
from ..lib.dates import UTC
from ..lib.errors import ConfigurationError, ConnectorError
from .connector_oauth_token import OAUTH_STATES

CALLBACK_PATH = "/connector/oauth/callback"
MANAGER_GROUP = "connector_base.group_connector_manager"
# Backends whose tokens the current transaction saved, in cr.precommit.data (cleared at commit).
_SAVED_HERE = "connector_base.oauth_tokens_saved"
# What a change of tokens makes stale in the cache.
_TOKEN_FIELDS = ["oauth_access_token", "oauth_refresh_token", "oauth_state", "oauth_token_expires_at"]


def _to_datetime(epoch):
    return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None) if epoch is not None else False


def _to_epoch(value):
    return value.replace(tzinfo=UTC).timestamp() if value else None


class BackendTokens(oauth.TokenProvider):
    """The access token of one backend, for a :class:`~..lib.oauth.TokenAuthClient`.

    Keeps the tokens it obtained in memory: after a refresh committed in its
    own transaction, the job's transaction still reads the old ones.
    """

    def __init__(self, backend):
        self._backend = backend
        self._tokens = None
        self._secrets = None

    def _current(self):
        if self._tokens is None:
            self._tokens = self._backend._oauth_stored_tokens()
        return self._tokens

    def access_token(self):
        return self._current().access_token

    def expires_soon(self):
        tokens = self._current()
        return not tokens.access_token or tokens.expires_within(self._backend._oauth_refresh_margin)

    def refresh(self):
        self._tokens = self._backend._oauth_renew(self._current().access_token)
        self._secrets = None
        return True

    def secrets(self):
        if self._secrets is None:
            client_secret = self._backend._connector_secret("oauth_client_secret")
            self._secrets = [value for value in (self._current().refresh_token, client_secret) if value]
        return self._secrets


class ConnectorOAuthMixin(models.AbstractModel):
    """OAuth 2.0 for a platform backend: connect, fetch, refresh, and say when a person must act.

    It is a backend mixin with OAuth on top: a platform backend inherits it
    instead of ``connector.backend.mixin`` (or lists it first, so its overrides
    win), and names the platform's endpoints::

        _inherit = ["connector.oauth.mixin"]
        _oauth_authorize_endpoint = "https://podio.com/oauth/authorize"
        _oauth_token_endpoint = "https://api.podio.com/oauth/token"

    then builds clients with ``backend._oauth_client(PodioClient, base_url)``,
    ``PodioClient`` being a ``lib.oauth.TokenAuthClient``. The OAuth secrets
    are Secret fields like the backend's own.

    Tokens are refreshed before they expire and once on a 401, in a transaction
    of their own, committed at once: a rotated refresh token must survive the
    job that obtained it failing. A refresh the platform refuses marks the
    backend ``needs_reauth`` and notifies the connector managers once (a note
    on the backend's chatter that reaches their Discuss inbox); bindings,
    mappings and even the refused tokens are kept.
    """

    _name = "connector.oauth.mixin"
    _inherit = ["connector.backend.mixin"]
    _description = "Connector OAuth 2.0"

    # The platform's endpoints; a backend can override them with oauth_*_url.
    _oauth_authorize_endpoint = None
    _oauth_token_endpoint = None
    _oauth_default_scope = False
    # A call refreshes first when the token expires within this many seconds.
    _oauth_refresh_margin = 300
    # The refresh job runs this long before expiry, so an idle backend stays connected.
    _oauth_refresh_lead = 900
    # How long the user has to approve access on the platform.
    _oauth_state_lifetime = 900
    # Where the platform sends the user back: the base's route, or a platform's own
    # route answering with ``controllers.oauth.oauth_callback_answer`` (Sprout's).
    _oauth_callback_path = CALLBACK_PATH

    oauth_client_id = fields.Char(string="Client ID", groups=MANAGER_GROUP)
    oauth_client_secret = Secret(string="Client secret")
    oauth_access_token = Secret(groups="base.group_system")
    oauth_refresh_token = Secret(groups="base.group_system")
    oauth_authorize_url = fields.Char(
        string="Authorization URL", groups=MANAGER_GROUP, help="Empty: the platform's."
    )
    oauth_token_url = fields.Char(string="Token URL", groups=MANAGER_GROUP, help="Empty: the platform's.")
    oauth_scope = fields.Char(
        string="Scopes", default=lambda self: self._oauth_default_scope, help="As the platform spells them."
    )
    oauth_state = fields.Selection(OAUTH_STATES, string="Authorization", compute="_compute_oauth_status")
    oauth_token_expires_at = fields.Datetime(string="Access token expires", compute="_compute_oauth_status")
    oauth_redirect_uri = fields.Char(
        string="Redirect URI",
        compute="_compute_oauth_redirect_uri",
        help="Register it as the redirect URI of the OAuth client on the platform.",
    )

    def _connector_credentials_ready(self):
        self.ensure_one()
        return self._oauth_status().state == "connected"

    def _oauth_status(self):
        return (
            self.env["connector.oauth.token"]
            .sudo()
            .search([("backend_model", "=", self._name), ("backend_id", "in", self.ids)])
        )

    def _compute_oauth_status(self):
        by_backend = {status.backend_id: status for status in self._oauth_status()}
        for backend in self:
            status = by_backend.get(backend.id)
            backend.oauth_state = status.state if status else "disconnected"
            backend.oauth_token_expires_at = status.expires_at if status else False

    @api.depends("public_base_url")
    def _compute_oauth_redirect_uri(self):
        for backend in self:
            backend.oauth_redirect_uri = backend._connector_public_base_url() + backend._oauth_callback_path

    # ------------------------------------------------------------------ connect (authorization code)
    def _oauth_check_manager(self):
        if not self.env.user.has_group(MANAGER_GROUP):
            raise UserError(self.env._("Only connector managers can connect a backend."))

    def _oauth_endpoint(self, field_name, default):
        url = self.sudo()[field_name] or default
        if not url:
            raise UserError(
                self.env._("%(backend)s has no OAuth endpoint configured.", backend=self.display_name)
            )
        return url

    @api.model
    def _oauth_state_secret(self):
        return self.env["ir.config_parameter"].sudo().get_param("database.secret")

    def action_oauth_connect(self):
        """Send the user to the platform to grant access; it comes back to the callback route."""
        self.ensure_one()
        self._oauth_check_manager()
        if not self.oauth_client_id:
            raise UserError(self.env._("Set the client ID of the OAuth client first."))
        authorize_url = self._oauth_endpoint("oauth_authorize_url", self._oauth_authorize_endpoint)
        nonce = secrets.token_urlsafe(16)
        self.env["connector.oauth.token"]._for(self).pending_nonce = nonce
        state = oauth.sign_state(
            self._oauth_state_secret(),
            {
                "model": self._name,
                "id": self.id,
                "uid": self.env.uid,
                "nonce": nonce,
                "exp": int(time.time()) + self._oauth_state_lifetime,
            },
        )
        separator = "&" if "?" in authorize_url else "?"
        query = urlencode(self._oauth_authorize_params(state))
        return {"type": "ir.actions.act_url", "url": f"{authorize_url}{separator}{query}", "target": "self"}

    def _oauth_authorize_params(self, state):
        """Query of the authorization URL; platforms add theirs (prompt, PKCE...)."""
        params = {
            "response_type": "code",
            "client_id": self.sudo().oauth_client_id,
            "redirect_uri": self.oauth_redirect_uri,
            "state": state,
        }
        if self.oauth_scope:
            params["scope"] = self.oauth_scope
        return params

    @api.model
    def _oauth_complete_authorization(self, state, code, error=None):
        """Finish the flow started by :meth:`action_oauth_connect`; return the connected backend.

        Raises UserError with what to tell the user. A state that fails a check
        changes nothing; a valid one is used up even when the platform then
        refuses, so an authorization link never works twice.
        """
        self._oauth_check_manager()
        refusals = {
            "expired": self.env._("This authorization took too long. Press Connect on the backend again."),
            "signature": self.env._(
                "This authorization answer is not valid. Press Connect on the backend again."
            ),
            "malformed": self.env._(
                "This authorization answer is not valid. Press Connect on the backend again."
            ),
        }
        try:
            claims = oauth.read_state(self._oauth_state_secret(), state)
        except oauth.InvalidState as invalid:
            raise UserError(refusals[invalid.reason]) from None
        if claims.get("uid") != self.env.uid:
            raise UserError(self.env._("This authorization was started by another user."))
        model = claims.get("model")
        oauth_models = self.env.registry.descendants(["connector.oauth.mixin"], "_inherit")
        if model not in oauth_models or self.env[model]._abstract:
            raise UserError(refusals["malformed"])
        backend = self.env[model].browse(claims.get("id")).exists()
        if not backend:
            raise UserError(self.env._("The backend to connect no longer exists."))
        try:
            self.env["connector.credential"]._key_ring()
        except ConfigurationError as missing_key:
            raise UserError(str(missing_key)) from None
        if not self.env["connector.oauth.token"]._consume_nonce(backend, claims.get("nonce")):
            raise UserError(
                self.env._("This authorization link was already used. Press Connect on the backend again.")
            )
        if error or not code:
            raise UserError(
                self.env._("The platform did not grant access (%(error)s).", error=(error or "no code")[:200])
            )
        try:
            tokens = backend._oauth_token_request(
                "authorization_code", code=code, redirect_uri=backend.oauth_redirect_uri
            )
        except ConnectorError as refused:
            raise UserError(
                self.env._("The platform refused the authorization: %(error)s", error=str(refused))
            ) from None
        backend._oauth_save_tokens(tokens)
        backend._connector_credentials_accepted()
        return backend

    def action_oauth_disconnect(self):
        """Forget the tokens; bindings and mappings stay."""
        self._oauth_check_manager()
        Credential = self.env["connector.credential"]
        for backend in self:
            Credential._store(backend, "oauth_access_token", "")
            Credential._store(backend, "oauth_refresh_token", "")
            self.env["connector.oauth.token"]._for(backend).write(
                {"state": "disconnected", "expires_at": False, "pending_nonce": False, "last_error": False}
            )
        self.invalidate_recordset(_TOKEN_FIELDS)
        return True

    # ------------------------------------------------------------------ obtaining tokens
    def _oauth_token_request(self, grant_type, **params):
        """Ask the token endpoint for tokens (no storing); returns a ``lib.oauth.TokenSet``."""
        self.ensure_one()
        token_url = self._oauth_endpoint("oauth_token_url", self._oauth_token_endpoint)
        client = oauth.TokenEndpointClient(token_url, client_id=self.sudo().oauth_client_id)
        with client:
            return client.fetch(grant_type, **params, **self._oauth_client_authentication(grant_type, params))

    def _oauth_client_authentication(self, grant_type, params):
        """Parameters proving the client to the token endpoint: the client secret by default.

        Platforms that take something else override it (Smartsheet sends a SHA-256
        ``hash`` of the secret and the code or refresh token, never the secret).
        """
        return {"client_secret": self._connector_secret("oauth_client_secret")}

    def _oauth_fetch_token(self, grant_type, **params):
        """Obtain tokens with a grant that needs no browser, and store them."""
        tokens = self._oauth_token_request(grant_type, **params)
        self._oauth_save_tokens(tokens)
        self._connector_credentials_accepted()
        return tokens

    def _oauth_fetch_token_client_credentials(self):
        """Machine-to-machine access (Sprout): the client itself is the credential."""
        return self._oauth_fetch_token("client_credentials", scope=self.oauth_scope or None)

    def _oauth_fetch_token_password(self, username_field, password_field):
        """Podio's username & password flow; ``password_field`` is a secret field of the backend."""
        return self._oauth_fetch_token(
            "password", username=self[username_field], password=self._connector_secret(password_field)
        )

    def _oauth_renewal_grant(self, tokens):
        """``(grant_type, params)`` obtaining a new access token without a person, or None.

        The refresh token by default. A backend using client credentials or
        Podio's app authentication returns its own grant when there is no
        refresh token.
        """
        if tokens.refresh_token:
            return "refresh_token", {"refresh_token": tokens.refresh_token}
        return None

    def _oauth_save_tokens(self, tokens):
        """Store granted tokens encrypted, mark the backend connected, plan the next refresh."""
        self.ensure_one()
        Credential = self.env["connector.credential"]
        Credential._store(self, "oauth_access_token", tokens.access_token)
        if tokens.refresh_token:
            # Platforms that do not rotate refresh tokens answer without one: keep ours.
            Credential._store(self, "oauth_refresh_token", tokens.refresh_token)
        self.env["connector.oauth.token"]._for(self).write(
            {
                "state": "connected",
                "expires_at": _to_datetime(tokens.expires_at),
                "refreshed_at": fields.Datetime.now(),
                "last_error": False,
            }
        )
        self.invalidate_recordset(_TOKEN_FIELDS)
        self._oauth_schedule_refresh()
        self.env.cr.precommit.data.setdefault(_SAVED_HERE, set()).add((self._name, self.id))

    def _oauth_stored_tokens(self):
        self.ensure_one()
        status = self._oauth_status()
        return oauth.TokenSet(
            access_token=self._connector_secret("oauth_access_token"),
            refresh_token=self._connector_secret("oauth_refresh_token"),
            expires_at=_to_epoch(status.expires_at),
        )

    def _oauth_client(self, client_class, base_url, **options):
        """A platform client (a ``TokenAuthClient``) using and refreshing this backend's tokens."""
        self.ensure_one()
        return client_class(base_url, token_provider=BackendTokens(self), **options)

    def _connector_reauthorize_hint(self):
        return self.env._("presses Connect on the backend")
