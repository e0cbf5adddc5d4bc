from odoo import api, fields, models

from odoo.addons.connector_base.lib.preview import HOLD_FIRST_IMPORT

from ..lib.client import ITEM_HOOK_TYPES
from ..lib.contacts import CONTACT_MAPPING_DEFAULTS, ITEM
from ..lib.sales import ORDER_LINE_MAPPING_DEFAULTS, SALE_ORDER_MAPPING_DEFAULTS

# What a linked app can feed: contacts, sales orders, and their lines (from an app whose
# items refer to their order).
FEEDS = [
    ("res.partner", "Contacts"),
    ("sale.order", "Sales orders"),
    ("sale.order.line", "Sales order lines"),
]
MAPPING_DEFAULTS = {
    "res.partner": CONTACT_MAPPING_DEFAULTS,
    "sale.order": SALE_ORDER_MAPPING_DEFAULTS,
    "sale.order.line": ORDER_LINE_MAPPING_DEFAULTS,
}
DIRECTIONS = [("import", "Podio to Odoo"), ("both", "Both ways (Odoo's changes written to Podio)")]


class PodioApp(models.Model):
    """A Podio app linked to an Odoo model: its items become records of that model.

    This file holds the link and its hooks; ``podio_app_import`` reads items into records."""

    _name = "podio.app"
    _inherit = ["connector.container.mixin"]
    _description = "Linked Podio App"
    _order = "backend_id, org_name, space_name, name, id"

    backend_id = fields.Many2one("podio.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    app_id = fields.Char(string="Podio app ID", required=True, readonly=True)
    name = fields.Char(required=True)
    item_name = fields.Char(readonly=True)
    org_name = fields.Char(string="Organisation", readonly=True)
    space_name = fields.Char(string="Workspace", readonly=True)
    url = fields.Char(string="Podio URL", readonly=True)
    odoo_model = fields.Selection(FEEDS, string="Feeds", required=True, default="res.partner")
    direction = fields.Selection(
        DIRECTIONS,
        required=True,
        default="import",
        help="Podio to Odoo: items are read into Odoo. Both ways: changes made in Odoo to the fields "
        "the mappings export are written back to the items too.",
    )
    active = fields.Boolean(default=True)
    hook_ids = fields.One2many("podio.hook", "app_link_id", string="Hooks")
    field_ids = fields.One2many(
        "podio.app.field", "app_link_id", string="Fields", help="As Podio last described them."
    )
    hooks_active = fields.Boolean(compute="_compute_hooks_active", string="Hooks verified")
    last_import_at = fields.Datetime(readonly=True, copy=False)
    last_edit_seen = fields.Char(
        string="Polled up to", compute="_compute_last_edit_seen", help="Where the next poll starts (UTC)."
    )

    _sql_constraints = [
        ("app_unique", "UNIQUE (backend_id, app_id)", "This app is already linked to this backend."),
    ]

    @api.depends("hook_ids.status")
    def _compute_hooks_active(self):
        for app in self:
            statuses = set(app.hook_ids.mapped("status"))
            app.hooks_active = len(app.hook_ids) == len(ITEM_HOOK_TYPES) and statuses == {"active"}

    def _compute_last_edit_seen(self):
        for app in self:
            backend = app.backend_id
            app.last_edit_seen = (
                backend._connector_poll_cursor(app.app_id) if backend and app.app_id else False
            )

    # ------------------------------------------------------------------ container
    # What the app holds and creates: podio_app_export.

    def _connector_record_type(self):
        return ITEM

    def _connector_container_subject(self):
        return self.env._("app %(app)s", app=self.name), self.url or None

    # ------------------------------------------------------------------ link and unlink
    @api.model_create_multi
    def create(self, vals_list):
        apps = super().create(vals_list)
        Mapping = self.env["connector.field.mapping"]
        for app in apps:
            Mapping._ensure_defaults(app.backend_id, ITEM, app.odoo_model, MAPPING_DEFAULTS[app.odoo_model])
        apps._enqueue_hooks()
        if not self.env.context.get(HOLD_FIRST_IMPORT):
            apps._enqueue_import()
        return apps

    def action_unlink_app(self):
        """Stop syncing: Podio's hooks are deleted, the records stay in Odoo."""
        for hook in self.hook_ids:
            hook.app_link_id._connector_container_enqueue(
                "_job_delete_hook",
                {"hook_id": hook.hook_id},
                kind="webhook",
                identity_key=f"unhook:{hook.hook_id}",
            )
        self.hook_ids.unlink()
        self.active = False
        return True

    def action_import(self):
        self._enqueue_import()
        return True

    def action_create_hooks(self):
        self._enqueue_hooks()
        return True

    def _enqueue_import(self):
        self._connector_container_enqueue_import("_job_import_app", "app_link_id", "app")

    def _read_fields(self, client):
        """The app's fields as Podio describes them now (one call), for the mapping form."""
        self.ensure_one()
        definitions = [
            field for field in client.app(self.app_id).get("fields") or () if field.get("status") != "deleted"
        ]
        Field = self.env["podio.app.field"]
        known = {field.field_id: field for field in self.field_ids}
        values = [Field._values_from_api(definition) for definition in definitions]
        for value in values:
            if value["field_id"] in known:
                known.pop(value["field_id"]).write(value)
            else:
                Field.create({**value, "app_link_id": self.id})
        Field.union(*known.values()).unlink()

    def _enqueue_hooks(self):
        for app in self:
            app._connector_container_enqueue(
                "_job_create_hooks",
                {"app_link_id": app.id},
                kind="webhook",
                name=self.env._("Create the hooks of app %(app)s", app=app.name),
                object_type="app",
                identity_key=f"hooks:{app.id}",
            )

    def _ensure_hooks(self, client):
        """The app's item hooks at the backend's hook URL: inactive ones asked to verify again,
        missing ones created (Podio then posts ``hook.verify``, answered by a job)."""
        self.ensure_one()
        url = self.backend_id._podio_hook_url()
        found = {hook["type"]: hook for hook in client.hooks(self.app_id) if hook["url"] == url}
        known = {hook.hook_type: hook for hook in self.hook_ids}
        created = verified = 0
        for hook_type in ITEM_HOOK_TYPES:
            podio_hook = found.get(hook_type)
            if podio_hook is None:
                hook_id = str(client.create_hook(self.app_id, url, hook_type)["hook_id"])
                created += 1
                status = "inactive"
            else:
                hook_id, status = str(podio_hook["hook_id"]), podio_hook["status"]
                if status != "active":
                    client.request_hook_verification(hook_id)
                    verified += 1
            values = {"hook_id": hook_id, "status": status}
            row = known.get(hook_type, self.env["podio.hook"]).exists()
            # Podio gave this id to the hook now: another row of the backend still naming it
            # describes a hook Podio no longer has (a local Podio served again), and goes.
            self.env["podio.hook"].search(
                [
                    ("backend_id", "=", self.backend_id.id),
                    ("hook_id", "=", hook_id),
                    ("id", "not in", row.ids),
                ]
            ).unlink()
            if row:
                row.write(values)
            else:
                self.env["podio.hook"].create({**values, "app_link_id": self.id, "hook_type": hook_type})
        return {
            "created": created,
            "updated": verified,
            "summary": self.env._(
                "%(created)s hook(s) created, %(verified)s asked to verify again.",
                created=created,
                verified=verified,
            ),
        }
