from odoo import api, fields, models

from ..lib.mapper import FIELD_KEYS, FIELD_READERS, unescape

FIELD_TYPES = [
    ("text", "Text"),
    ("number", "Number"),
    ("money", "Money"),
    ("date", "Date"),
    ("category", "Category"),
    ("contact", "Contact"),
    ("app", "App reference"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("location", "Location"),
    ("duration", "Duration"),
    ("progress", "Progress"),
    ("calculation", "Calculation (read-only)"),
    ("embed", "Link"),
    ("image", "Image"),
    ("file", "File"),
    ("other", "Not supported"),
]


class PodioAppField(models.Model):
    """A field of a linked app, as Podio describes it, offered in the mapping form."""

    _name = "podio.app.field"
    _description = "Podio App Field"
    _order = "app_link_id, sequence, id"

    app_link_id = fields.Many2one("podio.app", string="App", required=True, ondelete="cascade", index=True)
    backend_id = fields.Many2one(related="app_link_id.backend_id", store=True, index=True)
    company_id = fields.Many2one(related="app_link_id.company_id", store=True)
    odoo_model = fields.Selection(related="app_link_id.odoo_model", store=True)
    field_id = fields.Char(string="Podio field ID", required=True, readonly=True)
    external_id = fields.Char(required=True, readonly=True, help="The key the mappings name the field by.")
    field_type = fields.Selection(FIELD_TYPES, string="Type", required=True, readonly=True)
    podio_type = fields.Char(readonly=True, help="The type as Podio names it.")
    label = fields.Char(required=True, readonly=True)
    sequence = fields.Integer(readonly=True)
    options = fields.Json(
        string="Choices", readonly=True, help="Category options, referenced apps, currencies."
    )
    options_text = fields.Char(string="Options", compute="_compute_options_text")
    keys = fields.Char(
        string="Keys to map",
        compute="_compute_keys",
        help="What a mapping's external field may name: the field's key, and its parts.",
    )

    _sql_constraints = [
        ("field_unique", "UNIQUE (app_link_id, field_id)", "A field appears once per app."),
    ]

    @api.depends("options")
    def _compute_options_text(self):
        for field in self:
            field.options_text = ", ".join(str(option) for option in field.options or [])

    @api.depends("external_id", "field_type")
    def _compute_keys(self):
        for field in self:
            parts = FIELD_KEYS.get(field.field_type, ())
            field.keys = ", ".join(
                [field.external_id or "", *(f"{field.external_id}{part}" for part in parts)]
            )

    @api.depends("label", "field_type", "app_link_id.name")
    def _compute_display_name(self):
        types = dict(FIELD_TYPES)
        for field in self:
            field.display_name = (
                f"{field.label} ({types.get(field.field_type, '')}, {field.app_link_id.name})"
            )

    @api.model
    def _values_from_api(self, definition):
        """The values of one field of ``GET /app/{app_id}``'s ``fields``."""
        kind = definition.get("type")
        settings = (definition.get("config") or {}).get("settings") or {}
        if kind == "category":
            options = [unescape(option.get("text")) for option in settings.get("options") or ()]
        elif kind == "app":
            options = [str(app.get("app_id")) for app in settings.get("referenced_apps") or ()]
        elif kind == "money":
            options = list(settings.get("allowed_currencies") or ())
        else:
            options = []
        return {
            "field_id": str(definition["field_id"]),
            "external_id": definition.get("external_id") or str(definition["field_id"]),
            "field_type": "phone" if kind == "tel" else kind if kind in FIELD_READERS else "other",
            "podio_type": kind,
            "label": unescape(definition.get("label") or (definition.get("config") or {}).get("label")),
            "sequence": (definition.get("config") or {}).get("delta") or 0,
            "options": options or False,
        }
