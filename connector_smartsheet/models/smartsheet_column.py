import re

from odoo import api, fields, models

from ..lib import mapper as cells

COLUMN_TYPES = [(column_type, column_type.replace("_", " ").title()) for column_type in cells.COLUMN_TYPES]
SYSTEM_TYPES = [
    (system_type, system_type.replace("_", " ").title()) for system_type in cells.SYSTEM_COLUMN_TYPES
]
# Title words that tell what a column holds, for the proposed mappings.
ROLE_WORDS = {
    "status": r"status|state|stage|phase",
    "deadline": r"due|deadline|end|finish",
    "start": r"start|begin",
    "assignee": r"assign|owner|responsible|resource|who",
    "tags": r"tag|label|categor",
    "flag": r"flag|priority|important|urgent|star",
    "product": r"product|item|sku|part|article",
    "location": r"location|bin|warehouse|place",
    "lot": r"lot|serial",
    "quantity": r"qty|quantity|count|amount|units",
    "reference": r"order|reference|ref|batch",
}


class SmartsheetColumn(models.Model):
    """A column of a linked sheet, read from Smartsheet, offered in the mapping form."""

    _name = "smartsheet.column"
    _description = "Smartsheet Column"
    _order = "sheet_id, index, id"

    sheet_id = fields.Many2one("smartsheet.sheet", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="sheet_id.company_id", store=True)
    external_type = fields.Char(related="sheet_id.external_type", store=True, index=True)
    column_id = fields.Char(string="Column ID", required=True)
    name = fields.Char(string="Title", required=True)
    index = fields.Integer()
    column_type = fields.Selection(COLUMN_TYPES, string="Type", required=True, default="TEXT_NUMBER")
    options = fields.Json(string="Choices", help="Choices of a picklist column.")
    options_text = fields.Char(string="Options", compute="_compute_options_text")
    system_column_type = fields.Selection(SYSTEM_TYPES, string="System column")
    primary = fields.Boolean()
    formula = fields.Char(help="Column formula: Smartsheet computes the column.")
    writable = fields.Boolean(compute="_compute_writable", help="Odoo may write this column.")

    _sql_constraints = [
        ("column_unique", "UNIQUE (sheet_id, column_id)", "A column appears once per sheet."),
    ]

    @api.depends("options")
    def _compute_options_text(self):
        for column in self:
            column.options_text = ", ".join(column.options or [])

    @api.depends("system_column_type", "formula", "column_type")
    def _compute_writable(self):
        for column in self:
            column.writable = column._writable()

    @api.depends("name", "column_type")
    def _compute_display_name(self):
        for column in self:
            column.display_name = f"{column.name} ({dict(COLUMN_TYPES).get(column.column_type, '')})"

    def _writable(self):
        # A formula in some cells (an image is =SYS_CELLIMAGE(...)) leaves the column writable.
        return self._as_lib_column().writable

    @api.model
    def _values_from_api(self, payload):
        column = cells.Column.from_api(payload)
        return {
            "column_id": column.key,
            "name": column.title,
            "index": column.index,
            "column_type": column.type if column.type in cells.COLUMN_TYPES else "TEXT_NUMBER",
            "options": list(column.options) or False,
            "system_column_type": column.system_type or False,
            "primary": column.primary,
            "formula": column.formula or False,
        }

    def _differs(self, values):
        return any(self[name] != value for name, value in values.items())

    def _as_lib_column(self):
        return cells.Column(
            id=int(self.column_id),
            title=self.name,
            type=self.column_type,
            options=tuple(self.options or ()),
            system_type=self.system_column_type or "",
            primary=self.primary,
            formula=self.formula or "",
            index=self.index,
        )

    def _guess_roles(self):
        """{role: column} from titles: the first matching user column of each role."""
        found = {}
        for column in self.sorted("index"):
            if column.system_column_type or column.formula:
                continue
            for role, pattern in ROLE_WORDS.items():
                if role not in found and re.search(pattern, column.name or "", re.IGNORECASE):
                    found[role] = column
        return found
