from odoo import api, fields, models

from odoo.addons.connector_base.fields import Secret
from odoo.addons.connector_base.lib.errors import ConfigurationError
from odoo.addons.connector_base.lib.notification import notification
from odoo.addons.connector_base.lib.oauth import StaticToken

from ..lib.client import API_URL, AUTHORIZE_URL, DEFAULT_SCOPE, TOKEN_URL, SproutClient

# Sprout's OAuth clients are registered with the redirect URIs they may use: this one is Sprout's.
CALLBACK_PATH = "/connector/sprout/oauth/callback"


class SproutBackend(models.Model):
    """A Sprout Social customer, reached with an API token, an OAuth machine-to-machine
    client or a user-based OAuth client (a person presses Connect), and the profiles whose
    inbox comes into Odoo.

    This file holds the account and its client. Extensions in files of their own:
    ``sprout_backend_metadata`` (profiles, groups, tags, users), ``sprout_backend_polling``
    (the inbox, polled), ``sprout_backend_overview`` (health) and ``sprout_backend_demo``."""

    _name = "sprout.backend"
    _inherit = ["connector.oauth.mixin"]
    _description = "Sprout Social Backend"
    _oauth_token_endpoint = TOKEN_URL
    _oauth_authorize_endpoint = AUTHORIZE_URL
    _oauth_callback_path = CALLBACK_PATH
    _oauth_default_scope = DEFAULT_SCOPE
    _connector_polls_only = True  # Sprout Social has no webhooks

    api_url = fields.Char(
        string="API URL",
        required=True,
        default=API_URL,
        help="Sprout's API; a local emulator's address for a demo.",
    )
    auth_type = fields.Selection(
        [
            ("api_token", "API token"),
            ("client_credentials", "OAuth client (machine-to-machine)"),
            ("authorization_code", "OAuth client (user-based: Connect)"),
        ],
        string="Credential",
        required=True,
        default="api_token",
    )
    api_token = Secret(
        string="API token",
        help="Settings > Global Features > API > API Token Management in Sprout.",
    )
    quota_exhausted_minutes = fields.Integer(
        string="Monthly quota used up after (minutes)",
        default=10,
        help="Sprout answers 'too many requests' both past its 60 a minute and past its 250,000 a "
        "month: when such answers last this long with nothing succeeding, the month's quota is taken "
        "as used up and the backend pauses (connector managers get one note).",
    )
    customer_id = fields.Char(string="Customer ID", readonly=True, copy=False)
    customer_name = fields.Char(string="Customer", readonly=True, copy=False)
    profile_ids = fields.One2many("sprout.profile", "backend_id", string="Profiles")
    group_ids = fields.One2many("sprout.group", "backend_id", string="Groups")
    profile_count = fields.Integer(compute="_compute_counts")
    message_count = fields.Integer(compute="_compute_counts")

    @api.depends("profile_ids")
    def _compute_counts(self):
        counts = {
            backend.id: count
            for backend, count in self.env["sprout.message"]._read_group(
                [("backend_id", "in", self.ids)], ["backend_id"], ["__count"]
            )
        }
        for backend in self:
            backend.profile_count = len(backend.profile_ids)
            backend.message_count = counts.get(backend.id, 0)

    # ------------------------------------------------------------------ client
    def _sprout_client(self):
        """A client on this backend's credential; an OAuth client gets its first token here."""
        self.ensure_one()
        options = {"customer_id": self.customer_id or None, "rate_limit_key": f"backend:{self.id}"}
        if self.auth_type == "api_token":
            token = self._connector_secret("api_token")
            if not token:
                raise ConfigurationError(
                    self.env._("%(backend)s: paste the API token first.", backend=self.display_name)
                )
            return SproutClient(self.api_url, token_provider=StaticToken(token), **options)
        if not self.sudo().oauth_client_id or not self._connector_secret("oauth_client_secret"):
            raise ConfigurationError(
                self.env._(
                    "%(backend)s: set the OAuth client id and secret first.", backend=self.display_name
                )
            )
        if self._oauth_status().state != "connected":
            if self.auth_type != "client_credentials":
                raise ConfigurationError(
                    self.env._("%(backend)s: press Connect first.", backend=self.display_name)
                )
            self._oauth_fetch_token_client_credentials()
        return self._oauth_client(SproutClient, self.api_url, **options)

    def _oauth_renewal_grant(self, tokens):
        """Client credentials give no refresh token: the client asks for a new access token."""
        if self.auth_type == "client_credentials":
            return "client_credentials", {"scope": self.oauth_scope or None}
        return super()._oauth_renewal_grant(tokens)

    def _connector_quota_exhausted_after(self):
        return max(self.quota_exhausted_minutes, 0)

    # ------------------------------------------------------------------ refused credentials
    def _connector_credentials_ready(self):
        self.ensure_one()
        if self.auth_type == "api_token":
            return bool(self._connector_secret("api_token"))
        if self.auth_type == "authorization_code":
            return super()._connector_credentials_ready()
        return bool(self.sudo().oauth_client_id and self._connector_secret("oauth_client_secret"))

    def _connector_reauthorize_hint(self):
        if self.auth_type == "api_token":
            return self.env._("saves a working API token")
        if self.auth_type == "authorization_code":
            return super()._connector_reauthorize_hint()
        return self.env._("saves a working OAuth client secret")

    # ------------------------------------------------------------------ connection
    def _connector_identify(self):
        """Read the customer the credential belongs to and keep its id."""
        with self._sprout_client() as client:
            customer = client.identify()
        if not customer.get("customer_id"):
            raise ConfigurationError(
                self.env._(
                    "Sprout Social answered without a customer for %(backend)s.", backend=self.display_name
                )
            )
        self.write({"customer_id": customer["customer_id"], "customer_name": customer.get("name") or False})
        return customer

    def action_test_connection(self):
        self.ensure_one()
        with self._connector_button_call():
            customer = self._connector_identify()
        return notification(
            self.env._(
                "Connected to Sprout Social: customer %(name)s (%(id)s).",
                name=customer.get("name") or "-",
                id=customer["customer_id"],
            ),
            close=True,
        )

    def action_sync_now(self):
        """Read the profiles, groups, tags and users again, and look for new messages now."""
        for backend in self:
            backend._sprout_enqueue_metadata()
            backend._connector_enqueue_polls()
            backend._connector_enqueue_polls(backend._sprout_action_containers())
        return True

    def action_choose_profiles(self):
        """The profiles Sprout has now, to choose those whose inbox comes into Odoo."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("connector_sprout.action_sprout_profile_link")
        action["context"] = {"default_backend_id": self.id}
        return action

    def action_view_profiles(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("connector_sprout.action_sprout_profile")
        action["domain"] = [("backend_id", "in", self.ids)]
        action["context"] = {"default_backend_id": self[:1].id}
        return action

    def action_view_messages(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("connector_sprout.action_sprout_message")
        action["domain"] = [("backend_id", "in", self.ids)]
        return action
