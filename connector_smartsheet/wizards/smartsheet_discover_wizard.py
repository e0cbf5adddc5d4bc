from odoo import api, exceptions, fields, models

from odoo.addons.connector_base.lib.dates import parse_timestamp
from odoo.addons.connector_base.models.connector_import_preview_mixin import HOLD_FIRST_IMPORT

from ..models.smartsheet_sheet import DIRECTIONS, PURPOSES


class SmartsheetDiscoverWizard(models.TransientModel):
    """The sheets the token can read, to pick the ones Odoo links."""

    _name = "smartsheet.discover.wizard"
    _description = "Discover Smartsheet Sheets"

    backend_id = fields.Many2one("smartsheet.backend", required=True, ondelete="cascade")
    line_ids = fields.One2many("smartsheet.discover.line", "wizard_id", string="Sheets")

    @api.model
    def _open_for(self, backend):
        """Read every sheet (page by page) and show them, the linked ones marked."""
        linked = {
            sheet.sheet_id: sheet
            for sheet in self.env["smartsheet.sheet"]
            .with_context(active_test=False)
            .search([("backend_id", "=", backend.id)])
        }
        with backend._smartsheet_client_for_action() as client:
            sheets = list(client.iter_sheets())
        wizard = self.create(
            {
                "backend_id": backend.id,
                "line_ids": [
                    (
                        0,
                        0,
                        {
                            "sheet_id": str(sheet["id"]),
                            "name": sheet.get("name"),
                            "permalink": sheet.get("permalink"),
                            "access_level": sheet.get("accessLevel"),
                            "modified_at": parse_timestamp(sheet.get("modifiedAt")),
                            "linked": bool(
                                linked.get(str(sheet["id"]), False) and linked[str(sheet["id"])].active
                            ),
                        },
                    )
                    for sheet in sheets
                ],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Discover sheets"),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_link(self):
        """Link the chosen sheets: columns, proposed mappings, webhook, first import."""
        sheets = self._link_chosen()
        action = self.backend_id.action_view_sheets()
        action["domain"] = [("id", "in", sheets.ids)]
        return action

    def action_link_and_preview(self):
        """Link the chosen sheets with their first import held back, and preview that import."""
        return self.with_context(**{HOLD_FIRST_IMPORT: True})._link_chosen().action_preview_import()

    def _link_chosen(self):
        self.ensure_one()
        chosen = self.line_ids.filtered(lambda line: line.selected and not line.linked)
        if not chosen:
            raise exceptions.UserError(self.env._("Tick the sheets to link."))
        Sheet = self.env["smartsheet.sheet"].with_context(active_test=False)
        archived = {
            sheet.sheet_id: sheet
            for sheet in Sheet.search(
                [("backend_id", "=", self.backend_id.id), ("sheet_id", "in", chosen.mapped("sheet_id"))]
            )
        }
        sheets = Sheet.browse()
        for line in chosen:
            values = line._sheet_values()
            if line.sheet_id in archived:
                sheet = archived[line.sheet_id]
                sheet.write(values)
                sheet.action_relink_sheet()
            else:
                sheet = Sheet.create({**values, "backend_id": self.backend_id.id, "sheet_id": line.sheet_id})
            sheets |= sheet
        return sheets


class SmartsheetDiscoverLine(models.TransientModel):
    _name = "smartsheet.discover.line"
    _description = "Discovered Smartsheet Sheet"

    wizard_id = fields.Many2one("smartsheet.discover.wizard", required=True, ondelete="cascade")
    selected = fields.Boolean(string="Link")
    linked = fields.Boolean(string="Already linked", readonly=True)
    sheet_id = fields.Char(string="Sheet ID", readonly=True)
    name = fields.Char(readonly=True)
    permalink = fields.Char(string="Link to the sheet", readonly=True)
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
            "permalink": self.permalink,
            "purpose": self.purpose,
            "direction": self.direction if self.purpose == "task" else "import",
            "project_id": self.project_id.id,
            "location_id": self.location_id.id,
        }
