from contextlib import contextmanager
from urllib.parse import urlsplit

from odoo import api, fields, models

from odoo.addons.connector_base.fields import Secret
from odoo.addons.connector_base.lib.errors import ConfigurationError
from odoo.addons.connector_base.lib.notification import notification
from odoo.addons.connector_base.lib.oauth import StaticToken

from ..lib.client import (
    MAX_ROWS_PER_WRITE,
    OAUTH_SCOPES,
    REGION_API_URLS,
    REGION_APP_URLS,
    SmartsheetClient,
    oauth_hash,
)

REGIONS = [
    ("us", "United States"),
    ("eu", "Europe"),
    ("gov", "Smartsheet Gov"),
    ("au", "Australia"),
    ("custom", "Custom URL"),
]
AUTH_METHODS = [("token", "Personal access token"), ("oauth", "OAuth 2.0")]


class SmartsheetBackend(models.Model):
    """A Smartsheet account (one data region, one token) and the sheets linked to Odoo."""

    _name = "smartsheet.backend"
    _inherit = ["connector.oauth.mixin"]
    _description = "Smartsheet Backend"

    _oauth_default_scope = " ".join(OAUTH_SCOPES)
    _connector_export_batch_size = MAX_ROWS_PER_WRITE

    region = fields.Selection(REGIONS, string="Data region", default="us", required=True)
    custom_api_url = fields.Char(
        string="API URL", help="Base URL of the API for a custom region, e.g. http://127.0.0.1:8392/2.0."
    )
    auth_method = fields.Selection(AUTH_METHODS, string="Authentication", default="token", required=True)
    access_token = Secret(
        help="Personal access token generated in Smartsheet (Account > Apps & Integrations > API Access).",
    )
    change_agent = fields.Char(
        readonly=True,
        copy=False,
        help="Sent as Smartsheet-Change-Agent on every write; webhook events carrying it are skipped.",
    )
    account_email = fields.Char(string="Connected as", readonly=True, copy=False)
    page_size = fields.Integer(default=500, help="Rows read per call.")
    use_webhooks = fields.Boolean(
        default=True, help="Register a webhook per linked sheet; polling still runs as a safety net."
    )
    deleted_row_action = fields.Selection(
        [("archive", "Archive the Odoo record"), ("delete", "Delete the Odoo record")],
        string="When a row is deleted",
        default="archive",
        required=True,
    )
    # Smartsheet rows cannot be archived: they stay or go.
    deleted_record_policy = fields.Selection(
        selection_add=[("leave", "Leave the row"), ("delete", "Delete the row")],
        ondelete={"delete": "set default"},
        string="When a bound record is deleted",
    )
    row_check_hours = fields.Integer(
        string="Look for deleted rows every (hours)",
        default=24,
        help="Polling compares the row ids of each sheet this often; webhooks report deletions at once.",
    )
    sheet_ids = fields.One2many("smartsheet.sheet", "backend_id", string="Linked sheets")
    sheet_count = fields.Integer(compute="_compute_sheet_count")

    _sql_constraints = [
        ("page_size_range", "CHECK (page_size BETWEEN 1 AND 10000)", "Rows per call must be 1 to 10000."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        backends = super().create(vals_list)
        # Unique to this database and backend: another Odoo writing to the same sheets echoes normally.
        database = self.env["ir.config_parameter"].sudo().get_param("database.uuid", "")[:8]
        for backend in backends:
            backend.change_agent = f"odoo-{database}-smartsheet-{backend.id}"
        return backends

    @api.depends("sheet_ids")
    def _compute_sheet_count(self):
        for backend in self:
            backend.sheet_count = len(backend.sheet_ids)

    # ------------------------------------------------------------------ connection
    def _smartsheet_api_url(self):
        self.ensure_one()
        if self.region == "custom":
            if not self.custom_api_url:
                raise ConfigurationError(
                    self.env._(
                        "%(backend)s: set the API URL of the custom region.", backend=self.display_name
                    )
                )
            return self.custom_api_url.rstrip("/")
        return REGION_API_URLS[self.region]

    def _smartsheet_app_url(self):
        """Where people approve OAuth apps: the app host of the region (of the custom URL's host)."""
        if self.region == "custom":
            parts = urlsplit(self._smartsheet_api_url())
            return f"{parts.scheme}://{parts.netloc}"
        return REGION_APP_URLS[self.region]

    def _smartsheet_client(self):
        """A client for this backend's region and token; use it as a context manager."""
        self.ensure_one()
        options = {
            "change_agent": self.change_agent,
            "rate_limit_key": f"{self.env.cr.dbname}:{self.id}",
        }
        if self.auth_method == "oauth":
            return self._oauth_client(SmartsheetClient, self._smartsheet_api_url(), **options)
        token = self._connector_secret("access_token")
        if not token:
            raise ConfigurationError(
                self.env._("%(backend)s has no access token.", backend=self.display_name)
            )
        return SmartsheetClient(self._smartsheet_api_url(), token_provider=StaticToken(token), **options)

    @contextmanager
    def _smartsheet_client_for_action(self):
        """A client for a button: what Smartsheet refuses becomes a message for the person, a
        refused token also holds the backend (jobs use :meth:`_smartsheet_client`, whose typed
        errors drive their retries)."""
        with self._connector_button_call(), self._smartsheet_client() as client:
            yield client

    def _connector_credentials_ready(self):
        self.ensure_one()
        if self.auth_method == "oauth":
            return self.oauth_state == "connected"
        return bool(self.env["connector.credential"]._set_fields(self, ["access_token"]))

    # The base's refusal policy: Smartsheet's client tells a refused token (every 401) from a
    # sheet the token may not reach (403); a pasted token and OAuth go the same way.
    def _connector_identify(self):
        """The current user of the token, whose email the backend shows."""
        with self._smartsheet_client() as client:
            user = client.current_user()
        self.account_email = user.get("email")
        return user

    def _connector_reauthorize_hint(self):
        if self.auth_method == "oauth":
            return super()._connector_reauthorize_hint()
        return self.env._("saves a working access token on the backend")

    def action_test_connection(self):
        """Call the current-user endpoint and say who the token belongs to."""
        self.ensure_one()
        with self._connector_button_call():
            user = self._connector_identify()
        return notification(self.env._("Connected to Smartsheet as %(email)s.", email=user.get("email")))

    def action_connect(self):
        """The Connect button: Smartsheet's consent page (OAuth), or a connection test (token)."""
        self.ensure_one()
        if self.auth_method == "oauth":
            return self.action_oauth_connect()
        return self.action_test_connection()

    # ------------------------------------------------------------------ OAuth plug-in
    def _oauth_endpoint(self, field_name, default):
        regional = {
            "oauth_authorize_url": f"{self._smartsheet_app_url()}/b/authorize",
            "oauth_token_url": f"{self._smartsheet_api_url()}/token",
        }
        return super()._oauth_endpoint(field_name, regional.get(field_name) or default)

    def _oauth_client_authentication(self, grant_type, params):
        # Smartsheet takes a hash of the app secret and the code (or refresh token), never the secret.
        secret_input = (
            params.get("code") if grant_type == "authorization_code" else params.get("refresh_token")
        )
        return {"hash": oauth_hash(self._connector_secret("oauth_client_secret") or "", secret_input or "")}

    # ------------------------------------------------------------------ actions
    def action_discover_sheets(self):
        return self._connector_action_link_wizard("connector_smartsheet.action_smartsheet_discover_wizard")

    def action_view_sheets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("connector_smartsheet.action_smartsheet_sheet")
        action["domain"] = [("backend_id", "=", self.id)]
        action["context"] = {"default_backend_id": self.id}
        return action

    def action_sync_now(self):
        """Queue a sync of every linked sheet (and the export of new records where they are exported)."""
        if not self.sheet_ids:
            message, level = (
                self.env._("No sheet is linked yet: press Discover sheets to link one."),
                "warning",
            )
        else:
            message, level = self.env._("Synchronization queued."), "info"
        self.sheet_ids._enqueue_sync()
        return notification(message, level=level)

    # ------------------------------------------------------------------ health
    def _connector_platform_health(self):
        return self._connector_platform_checks(self.env._("Authentication"), self._smartsheet_platform_checks)

    def _smartsheet_platform_checks(self):
        with self._smartsheet_client() as client:
            user = client.current_user()
            return [
                (
                    self.env._("Authentication"),
                    True,
                    self.env._("Connected as %(email)s.", email=user.get("email")),
                ),
                *self.sheet_ids.webhook_id._health_checks(client),
            ]

    # ------------------------------------------------------------------ overview
    def _connector_job_subjects(self, method_name, payloads):
        if method_name != "_job_import_row":
            return super()._connector_job_subjects(method_name, payloads)
        sheets = {
            sheet.sheet_id: sheet
            for sheet in self.env["smartsheet.sheet"]
            .sudo()
            .search(
                [
                    ("backend_id", "=", self.id),
                    ("sheet_id", "in", [str(payload.get("sheetId")) for payload in payloads]),
                ]
            )
        }
        subjects = []
        for payload in payloads:
            sheet = sheets.get(str(payload.get("sheetId")))
            sheet_name = sheet.name if sheet else payload.get("sheetId")
            row = payload.get("rowNumber") or payload.get("id")
            subjects.append(
                {
                    "name": self.env._("Import row %(row)s of %(sheet)s", row=row, sheet=sheet_name),
                    "object_name": self.env._("row %(row)s of sheet %(sheet)s", row=row, sheet=sheet_name),
                    "object_url": sheet.permalink if sheet else None,
                    "external_id": str(payload.get("id")),
                }
            )
        return subjects

    def _connector_external_urls(self, bindings):
        """A row has no address of its own here: its sheet's."""
        links = dict(
            self.env["smartsheet.sheet"]
            .sudo()
            .search([("backend_id", "=", self.id), ("external_type", "in", bindings.mapped("external_type"))])
            .mapped(lambda sheet: (sheet.external_type, sheet.permalink))
        )
        return {
            binding.id: links[binding.external_type]
            for binding in bindings
            if links.get(binding.external_type)
        }

    # ------------------------------------------------------------------ jobs
    def _job_sync_sheet(self, job):
        sheet = self._connector_job_container(job, "smartsheet.sheet", "sheet_id")
        if not sheet:
            return {"skipped": 1, "summary": self.env._("The sheet is no longer linked.")}
        return sheet._sync(full=job.payload.get("full", False))

    def _job_import_row(self, job):
        """Retry a quarantined row: read it again from Smartsheet and import it, with the
        quarantined rows waiting for it (its children, theirs...) in the same read: the
        import resolves their entries, so none of them runs a job and a read of its own."""
        sheet = self.env["smartsheet.sheet"].search(
            [("backend_id", "=", self.id), ("sheet_id", "=", str(job.payload.get("sheetId")))], limit=1
        )
        if not sheet:
            return {"skipped": 1, "summary": self.env._("The sheet is no longer linked.")}
        row_id = job.payload["id"]
        family = self._connector_quarantine_family(sheet.external_type, [row_id])
        return sheet._import_row_ids([row_id, *map(int, family)], retried_row_id=row_id)

    def _job_export_new_rows(self, job):
        sheet = self._connector_job_container(job, "smartsheet.sheet", "sheet_id")
        if not sheet._exports():
            return {"skipped": 1, "summary": self.env._("The sheet is not exported.")}
        return sheet._export_new_records()

    def _connector_remove_external(self, external_type, external_ids, policy):
        """Delete the rows of tasks deleted in Odoo, from a sheet Odoo writes to."""
        sheet = self.sheet_ids.filtered(lambda sheet: sheet.external_type == external_type)[:1]
        if not sheet or not sheet._exports():
            return {"skipped": 1, "summary": self.env._("Odoo does not write to this sheet.")}
        with self._smartsheet_client() as client:
            deleted = client.delete_rows(sheet.sheet_id, [int(row_id) for row_id in external_ids])
        return {
            "updated": len(deleted),
            "summary": self.env._("%(count)s row(s) deleted.", count=len(deleted)),
        }

    # ------------------------------------------------------------------ export hooks
    def _export_record(self, binding, record, external_values):
        outcome = self._export_records([(binding, record, external_values)])[binding.id]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def _export_records(self, items):
        """Write bound records to their rows, a sheet at a time, 500 rows per call.

        Returns {binding id: the row's new modification time, or the ConnectorError
        Smartsheet gave for that row}.
        """
        outcome = {}
        by_sheet = {}
        for binding, record, values in items:
            by_sheet.setdefault(binding.external_type, []).append((binding, record, values))
        sheets = self.env["smartsheet.sheet"].search(
            [("backend_id", "=", self.id), ("external_type", "in", list(by_sheet))]
        )
        for sheet in sheets:
            outcome.update(sheet._export_rows(by_sheet.pop(sheet.external_type)))
        for leftovers in by_sheet.values():
            for binding, _record, _values in leftovers:
                outcome[binding.id] = ConfigurationError(self.env._("The sheet of this row is not linked."))
        return outcome

    # ------------------------------------------------------------------ reconciliation
    def _reconcile_types(self):
        return self.sheet_ids.filtered(lambda sheet: sheet.active and sheet.purpose == "task").mapped(
            "external_type"
        )

    def _reconcile_snapshot(self, external_type):
        sheet = self.sheet_ids.filtered(lambda sheet: sheet.external_type == external_type)[:1]
        return sheet._reconcile_rows() if sheet else iter(())

    def _job_import_record(self, job):
        """Import one row a reconciliation found (re-import)."""
        sheet = self.sheet_ids.filtered(lambda sheet: sheet.external_type == job.payload["external_type"])[:1]
        if not sheet:
            return {"skipped": 1, "summary": self.env._("The sheet is no longer linked.")}
        return sheet._import_row_ids([int(job.payload["external_id"])])
