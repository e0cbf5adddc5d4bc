from odoo import api, fields, models

from odoo.addons.connector_base.lib.preview import HOLD_FIRST_IMPORT

from ..lib.mapper import unescape
from ..models.podio_app import FEEDS

LINE_FIELDS = ("name", "item_name", "org_name", "space_name", "url")


class PodioAppLink(models.TransientModel):
    """Discover the organisations, workspaces and apps the credentials reach, and link apps."""

    _name = "podio.app.link"
    _inherit = "connector.link.wizard"
    _description = "Discover Podio Apps"
    _link_target = ("podio.app", "app_id")

    backend_id = fields.Many2one("podio.backend", required=True, ondelete="cascade")
    line_ids = fields.One2many("podio.app.link.line", "wizard_id", string="Apps")
    odoo_model = fields.Selection(
        FEEDS,
        string="Feeds",
        required=True,
        default="res.partner",
        help="What the chosen apps feed, unless a line says.",
    )

    @api.model
    def _link_offers(self, backend):
        """The apps the credentials reach and no active link holds."""
        linked = set(backend.app_ids.mapped("app_id"))
        return [line for line in self._apps_to_offer(backend) if line["external_id"] not in linked]

    @api.model
    def _apps_to_offer(self, backend):
        """Every app the credentials reach, with its organisation and workspace, names unescaped."""
        with backend._connector_button_call(), backend._podio_session() as client:
            if backend.auth_mode == "app":
                return [_line(client.app(backend.auth_app_id), "", "")]
            return [
                _line(app, org["name"], space["name"])
                for org in client.organizations()
                for space in org.get("spaces") or ()
                for app in client.space_apps(space["space_id"])
                if app.get("status", "active") == "active"
            ]

    def action_link(self):
        """Link the chosen apps: their hooks are created and their first import queued."""
        return self._link_show(self._link_chosen(), "connector_podio.action_podio_app")

    def _link_values(self, line):
        return {
            **{name: line[name] for name in LINE_FIELDS},
            "odoo_model": line.odoo_model or self.odoo_model,
        }

    def _link_nothing_chosen_text(self):
        return self.env._("Choose an app to link.")

    def _link_again(self, app, values):
        app.write({**values, "active": True})
        app._enqueue_hooks()
        if not self.env.context.get(HOLD_FIRST_IMPORT):
            app._enqueue_import()


def _line(app, org_name, space_name):
    config = app.get("config") or {}
    return {
        "external_id": str(app["app_id"]),
        "name": unescape(config.get("name")),
        "item_name": unescape(config.get("item_name")),
        "org_name": unescape(org_name),
        "space_name": unescape(space_name),
        "url": app.get("url") or app.get("link") or False,
    }


class PodioAppLinkLine(models.TransientModel):
    _name = "podio.app.link.line"
    _inherit = "connector.link.line.mixin"
    _description = "Podio App to Link"

    wizard_id = fields.Many2one("podio.app.link", required=True, ondelete="cascade")
    item_name = fields.Char(readonly=True)
    odoo_model = fields.Selection(FEEDS, string="Feeds", help="Empty: what the wizard says.")
    org_name = fields.Char(string="Organisation", readonly=True)
    space_name = fields.Char(string="Workspace", readonly=True)
