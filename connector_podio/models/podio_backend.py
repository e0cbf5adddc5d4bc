import secrets
from contextlib import closing

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.connector_base.fields import Secret
from odoo.addons.connector_base.lib.errors import ConfigurationError
from odoo.addons.connector_base.lib.notification import notification

from ..lib import client as podio
from ..lib.client import API_URL, AUTHORIZE_URL, PodioClient
from ..lib.mapper import unescape as podio_name

AUTH_MODES = [
    ("password", "Username & password (service account)"),
    ("app", "App authentication (one app)"),
    ("code", "Authorization code (a person connects)"),
]

CONTACT_COMPANY_POLICIES = [
    ("name", "Company name on the contact"),
    ("partner", "Company partner (matched by name, else created)"),
]
DELETED_ITEM_POLICIES = [("archive", "Archive (cancel orders)"), ("unlink", "Delete")]


class PodioBackend(models.Model):
    """A Podio API client (client id and secret), the account it signs in as, and the apps
    it links.

    This file holds the account and its client. Extensions in files of their own:
    ``podio_backend_jobs`` (the jobs), ``podio_backend_webhook`` (hook intake and polling),
    ``podio_backend_overview`` (health and overview) and ``podio_backend_demo`` (``make run``)."""

    _name = "podio.backend"
    _inherit = ["connector.oauth.mixin"]
    _description = "Podio Backend"
    _oauth_authorize_endpoint = AUTHORIZE_URL
    _oauth_token_endpoint = podio.token_endpoint(API_URL)

    api_url = fields.Char(
        string="API URL", required=True, default=API_URL, help="Podio's API; a local emulator's for a demo."
    )
    auth_mode = fields.Selection(
        AUTH_MODES,
        string="Sign in with",
        required=True,
        default="password",
        help="A service account's username and password, one app's app id and token (the connector "
        "then acts as that app and reaches it alone), or a person's consent.",
    )
    podio_username = fields.Char(string="Username", groups="connector_base.group_connector_manager")
    podio_password = Secret(string="Password")
    auth_app_id = fields.Char(string="App ID", help="For app authentication: the app's id.")
    auth_app_token = Secret(string="App token", help="From the app's Developer settings.")
    hook_path_secret = Secret(
        string="Hook URL secret",
        help="An unguessable part of the hooks' address: Podio signs nothing, so a delivery "
        "without it is refused.",
    )
    rate_limit_backoff = fields.Integer(
        string="Wait after a rate limit (s)",
        default=300,
        required=True,
        help="How long jobs wait after Podio answers 420, or when its quota is nearly spent.",
    )
    contact_company = fields.Selection(
        CONTACT_COMPANY_POLICIES,
        string="Contacts' company",
        required=True,
        default="name",
        help="A contact item's company: kept as a name on the contact, or a company partner "
        "(the one of that name, else a new one) set as the contact's company.",
    )
    deleted_item_policy = fields.Selection(
        DELETED_ITEM_POLICIES,
        string="Items deleted in Podio",
        required=True,
        default="archive",
        help="What becomes of the Odoo record of an item deleted in Podio: archived (a sales order "
        "cancelled), or deleted (an order is cancelled first; a line of a confirmed order keeps "
        "its place with no quantity, as Odoo does not delete those).",
    )
    max_file_size = fields.Integer(
        string="Largest file imported (MB)",
        default=10,
        required=True,
        help="Images and files of items become attachments of their records up to this size; larger "
        "ones stay in Podio only.",
    )
    connected_as = fields.Char(readonly=True, copy=False)
    app_ids = fields.One2many("podio.app", "backend_id", string="Apps")
    app_count = fields.Integer(compute="_compute_app_count")

    _sql_constraints = [
        ("rate_limit_backoff_positive", "CHECK (rate_limit_backoff > 0)", "The wait must be positive."),
        (
            "max_file_size_not_negative",
            "CHECK (max_file_size >= 0)",
            "The largest file size cannot be negative.",
        ),
    ]

    @api.depends("app_ids")
    def _compute_app_count(self):
        for backend in self:
            backend.app_count = len(backend.app_ids)

    @api.model_create_multi
    def create(self, vals_list):
        for values in vals_list:
            values.setdefault("hook_path_secret", secrets.token_urlsafe(32))
        return super().create(vals_list)

    # ------------------------------------------------------------------ client
    def _oauth_endpoint(self, field_name, default):
        """The token endpoint next to the backend's API URL unless one is set (an emulator's)."""
        if field_name == "oauth_token_url" and not self.sudo().oauth_token_url:
            return podio.token_endpoint(self.api_url)
        return super()._oauth_endpoint(field_name, default)

    def _podio_grant(self):
        self.ensure_one()
        if self.auth_mode == "app":
            if not self.auth_app_id or not self._connector_secret("auth_app_token"):
                raise UserError(self.env._("Set the app ID and the app token first."))
            return podio.app_grant(self.auth_app_id, self._connector_secret("auth_app_token"))
        if not self.sudo().podio_username or not self._connector_secret("podio_password"):
            raise UserError(self.env._("Set the username and the password first."))
        return podio.password_grant(self.sudo().podio_username, self._connector_secret("podio_password"))

    def _podio_client(self):
        self.ensure_one()
        if not self._connector_credentials_ready():
            raise ConfigurationError(
                self.env._("%(backend)s is not connected to Podio: press Connect.", backend=self.display_name)
            )
        account = self.auth_app_id if self.auth_mode == "app" else self.sudo().podio_username or self.id
        return self._oauth_client(
            PodioClient,
            self.api_url,
            rate_limit_backoff=self.rate_limit_backoff,
            rate_limit_holders={"general": podio.quota_holder(self.sudo().oauth_client_id, account)},
        )

    def _podio_session(self):
        """A client on this backend's tokens, closed after use; its errors are left to the caller."""
        return closing(self._podio_client())

    # ------------------------------------------------------------------ connection
    def action_connect(self):
        """Sign in with the backend's grant (or send the person to Podio), then say who we are."""
        self.ensure_one()
        self._oauth_check_manager()
        if self.auth_mode == "code":
            return self.action_oauth_connect()
        if not self.sudo().oauth_client_id or not self._connector_secret("oauth_client_secret"):
            raise UserError(self.env._("Set the client ID and the client secret first."))
        grant_type, params = self._podio_grant()
        with self._connector_button_call():
            self._oauth_fetch_token(grant_type, **params)
        return self.action_test_connection()

    def _connector_reauthorize_hint(self):
        return self.env._("presses Connect on the backend")

    def _connector_identify(self):
        """One cheap call saying what the credentials reach: the app, or the organisations."""
        with self._podio_session() as client:
            if self.auth_mode == "app":
                app = client.app(self.auth_app_id)
                name = self.env._("app %(app)s", app=podio_name(app["config"]["name"]))
            else:
                orgs = client.organizations()
                name = self.env._(
                    "%(count)s organisation(s): %(names)s",
                    count=len(orgs),
                    names=", ".join(podio_name(org["name"]) for org in orgs),
                )
        self.connected_as = name
        return name

    def action_test_connection(self):
        self.ensure_one()
        with self._connector_button_call():
            name = self._connector_identify()
        return notification(self.env._("Connected to Podio: %(name)s.", name=name), close=True)

    def action_sync_now(self):
        """Read every linked app again: a full, idempotent import (unchanged items are skipped)."""
        self.app_ids.filtered("active")._enqueue_import()
        return True

    def action_discover_apps(self):
        return self._connector_action_link_wizard("connector_podio.action_podio_app_link")

    def action_view_apps(self):
        return self._connector_action_view_containers("connector_podio.action_podio_app")

    def _podio_hook_url(self):
        """Where the hooks post: the webhook route with the backend's secret as the last segment
        (Podio may drop query strings)."""
        self.ensure_one()
        return f"{self.webhook_url}/{self._connector_secret('hook_path_secret')}"
