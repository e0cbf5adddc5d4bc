from odoo import api, exceptions, fields, models

from odoo.addons.connector_base.lib.dates import parse_timestamp

from ..models.smartsheet_sheet import DIRECTIONS, PURPOSES


class SmartsheetDiscoverWizard(models.TransientModel):
    """The sheets the token can read, to pick the ones Odoo links."""

    _name = "smartsheet.discover.wizard"
    _inherit = "connector.link.wizard"
    _description = "Discover Smartsheet Sheets"
    _link_target = ("smartsheet.sheet", "sheet_id")

    backend_id = fields.Many2one("smartsheet.backend", required=True, ondelete="cascade")
    line_ids = fields.One2many("smartsheet.discover.line", "wizard_id", string="Sheets")

    @api.model
    def _link_offers(self, backend):
        """Every sheet the token reads (page by page), the linked ones marked."""
        linked = set(backend.sheet_ids.mapped("sheet_id"))
        with backend._smartsheet_client_for_action() as client:
            sheets = list(client.iter_sheets())
        return [
            {
                "external_id": str(sheet["id"]),
                "name": sheet.get("name"),
                "url": sheet.get("permalink"),
                "access_level": sheet.get("accessLevel"),
                "modified_at": parse_timestamp(sheet.get("modifiedAt")),
                "linked": str(sheet["id"]) in linked,
            }
            for sheet in sheets
        ]

    def action_link(self):
        """Link the chosen sheets: columns, proposed mappings, webhook, first import."""
        sheets = self._link_chosen()
        action = self.backend_id.action_view_sheets()
        action["domain"] = [("id", "in", sheets.ids)]
        return action

    def _link_values(self, line):
        return line._sheet_values()

    def _link_nothing_chosen_text(self):
        return self.env._("Tick the sheets to link.")

    def _link_again(self, sheet, values):
        sheet.write(values)
        sheet.action_relink_sheet()


class SmartsheetDiscoverLine(models.TransientModel):
    _name = "smartsheet.discover.line"
    _inherit = "connector.link.line.mixin"
    _description = "Discovered Smartsheet Sheet"

    wizard_id = fields.Many2one("smartsheet.discover.wizard", required=True, ondelete="cascade")
    access_level = fields.Char(readonly=True)
    modified_at = fields.Datetime(string="Modified", readonly=True)
    purpose = fields.Selection(PURPOSES, string="Feeds", default="task")
    direction = fields.Selection(DIRECTIONS, default="both")
    project_id = fields.Many2one("project.project")
    location_id = fields.Many2one("stock.location", domain=[("usage", "=", "internal")])

    @api.onchange("purpose")
    def _onchange_purpose(self):
        if self.purpose != "task":
            self.direction = "import"

    def _sheet_values(self):
        self.ensure_one()
        if self.purpose == "task" and not self.project_id:
            raise exceptions.UserError(
                self.env._("Choose the project that %(sheet)s feeds.", sheet=self.name)
            )
        return {
            "name": self.name,
            "permalink": self.url,
            "purpose": self.purpose,
            "direction": self.direction if self.purpose == "task" else "import",
            "project_id": self.project_id.id,
            "location_id": self.location_id.id,
        }
