from collections import defaultdict

from odoo import Command, api, fields, models

from odoo.addons.base.models.res_partner import _tz_get

from ..lib import converters

CONVERTERS = [
    ("text", "Text"),
    ("html", "HTML / plain text"),
    ("integer", "Whole number"),
    ("float", "Decimal number"),
    ("monetary", "Amount"),
    ("boolean", "Yes / no"),
    ("date", "Date"),
    ("datetime", "Date and time"),
    ("selection", "Selection (through value mappings)"),
    ("many2one", "Linked record"),
    ("many2many", "Tags"),
]
DIRECTIONS = [("import", "Import"), ("export", "Export"), ("both", "Both ways")]
LOOKUPS = [
    ("name", "Name"),
    ("email", "Email"),
    ("ref", "Reference"),
    ("binding", "Platform ID (binding)"),
]
AUTHORITIES = [
    ("odoo", "Odoo wins"),
    ("platform", "The platform wins"),
    ("newest", "The newest change wins"),
]
SUPPORTED_TYPES = sorted(converters.DEFAULT_CONVERTER)


class ConnectorFieldMapping(models.Model):
    """One platform field mapped to one Odoo field, for a backend and an external type.

    The mappings of a (backend, external type, Odoo model) compile into one
    :class:`~odoo.addons.connector_base.lib.mapping.Mapper`, cached until a mapping
    changes; connectors get it, bound to their environment, from :meth:`_get_mapper`.
    """

    _name = "connector.field.mapping"
    _description = "Connector Field Mapping"
    _order = "backend_model, backend_id, external_type, odoo_model, sequence, id"

    backend_model = fields.Char(required=True, index=True)
    backend_id = fields.Many2oneReference(
        string="Backend ID", model_field="backend_model", required=True, index=True
    )
    backend_ref = fields.Reference(
        selection="_selection_backend_models",
        compute="_compute_backend_ref",
        inverse="_inverse_backend_ref",
        string="Backend",
    )
    external_type = fields.Char(
        required=True, index=True, help="The kind of platform object mapped: card, row, item, message..."
    )
    model_id = fields.Many2one(
        "ir.model",
        string="Odoo model",
        required=True,
        ondelete="cascade",
        domain=[("transient", "=", False)],
    )
    odoo_model = fields.Char(related="model_id.model", store=True, index=True, string="Odoo model name")
    field_id = fields.Many2one(
        "ir.model.fields",
        string="Odoo field",
        required=True,
        ondelete="cascade",
        domain=f"[('model_id', '=', model_id), ('ttype', 'in', {SUPPORTED_TYPES})]",
    )
    odoo_field = fields.Char(related="field_id.name", store=True, string="Odoo field name")
    odoo_field_type = fields.Selection(related="field_id.ttype", string="Odoo field type")
    external_field = fields.Char(
        help="Key or column ID of the value in the platform record. Empty: the default is always used."
    )
    external_label = fields.Char(help="The name people know the platform field by.")
    direction = fields.Selection(DIRECTIONS, required=True, default="both")
    converter = fields.Selection(
        CONVERTERS,
        required=True,
        compute="_compute_converter",
        store=True,
        readonly=False,
        precompute=True,
        help="How values are turned from one side into the other. HTML / plain text: the side that is "
        "not HTML holds plain text.",
    )
    lookup_by = fields.Selection(
        LOOKUPS, string="Find records by", default="name", help="What the platform value identifies."
    )
    lookup_external_type = fields.Char(
        string="Bound as",
        help="External type of the bindings read when finding records by platform ID. Empty: any type.",
    )
    create_missing = fields.Boolean(help="Create the records (tags, stages...) that no name matches.")
    digits = fields.Integer(
        help="Decimal places kept. 0: those of the Odoo field (amounts: of the currency)."
    )
    timezone = fields.Selection(
        _tz_get, string="Time zone", default="UTC", help="Time zone of platform times given without offset."
    )
    default_value = fields.Char(
        string="Default", help="Used when the platform sends no value; written as the platform would send it."
    )
    required = fields.Boolean(
        compute="_compute_required",
        store=True,
        readonly=False,
        precompute=True,
        help="A record without a value (and without a default) is not imported.",
    )
    authority = fields.Selection(
        AUTHORITIES,
        string="On conflict",
        help="Who wins when both sides changed the value since the last sync. Empty: ask a person.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True, default=lambda self: self.env.company)
    value_mapping_ids = fields.One2many(
        "connector.value.mapping", "field_mapping_id", string="Value mappings", copy=True
    )

    # ------------------------------------------------------------------ fields
    @api.model
    def _selection_backend_models(self):
        return self.env["connector.sync.job"]._selection_backend_models()

    @api.depends("backend_model", "backend_id")
    def _compute_backend_ref(self):
        known = {name for name, _label in self._selection_backend_models()}
        for mapping in self:
            valid = mapping.backend_model in known and mapping.backend_id
            mapping.backend_ref = f"{mapping.backend_model},{mapping.backend_id}" if valid else False

    def _inverse_backend_ref(self):
        for mapping in self:
            backend = mapping.backend_ref
            mapping.backend_model = backend._name if backend else False
            mapping.backend_id = backend.id if backend else False

    @api.depends("field_id")
    def _compute_converter(self):
        for mapping in self:
            mapping.converter = converters.DEFAULT_CONVERTER.get(mapping.field_id.ttype, mapping.converter)

    @api.depends("field_id")
    def _compute_required(self):
        for mapping in self:
            mapping.required = mapping.field_id.required

    @api.depends("external_type", "external_label", "external_field", "field_id")
    def _compute_display_name(self):
        for mapping in self:
            source = mapping.external_label or mapping.external_field or self.env._("(default)")
            target = f"{mapping.field_id.field_description} ({mapping.odoo_field})"
            mapping.display_name = f"{mapping.external_type}: {source} → {target}"

    def _scope(self):
        return (self.backend_model, self.backend_id, self.external_type, self.odoo_model)

    # ------------------------------------------------------------------ cache
    @api.model_create_multi
    def create(self, vals_list):
        # A mapping belongs to its backend's company unless told otherwise.
        without_company = [vals for vals in vals_list if "company_id" not in vals and vals.get("backend_id")]
        backend_ids = defaultdict(set)
        for vals in without_company:
            backend_ids[vals.get("backend_model")].add(vals["backend_id"])
        companies = {
            (model_name, backend.id): backend.company_id.id
            for model_name, ids in backend_ids.items()
            if model_name in self.env
            for backend in self.env[model_name].browse(ids)
        }
        for vals in without_company:
            if (vals.get("backend_model"), vals["backend_id"]) in companies:
                vals["company_id"] = companies[vals["backend_model"], vals["backend_id"]]
        mappings = super().create(vals_list)
        self.env.registry.clear_cache()  # compiled mappers and export field names
        return mappings

    def write(self, vals):
        result = super().write(vals)
        self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result

    @api.model
    def _ensure_defaults(self, backend, external_type, odoo_model, specs):
        """Create the default mappings a connector ships, so a new backend works at once.

        ``specs``: dicts of mapping values with ``odoo_field`` (a field name) instead of
        ``field_id``, and optionally ``value_mappings``: dicts with ``external_value`` and
        ``odoo_value`` or ``odoo_record`` (a record). A mapping of the same Odoo field
        and external field that exists, even archived, is left alone: running this again
        creates nothing, and a default someone switched off stays off.
        Returns the mappings created.
        """
        backend.ensure_one()
        scope = {
            "backend_model": backend._name,
            "backend_id": backend.id,
            "external_type": external_type,
            "model_id": self.env["ir.model"]._get_id(odoo_model),
        }
        existing = (
            self.sudo()
            .with_context(active_test=False)
            .search_fetch(
                [
                    ("backend_model", "=", backend._name),
                    ("backend_id", "=", backend.id),
                    ("external_type", "=", external_type),
                    ("odoo_model", "=", odoo_model),
                ],
                ["odoo_field", "external_field"],
            )
        )
        present = {(mapping.odoo_field, mapping.external_field or "") for mapping in existing}
        vals_list = []
        for spec in specs:
            values = dict(spec)
            field_name = values.pop("odoo_field")
            key = (field_name, values.get("external_field") or "")
            if key in present:
                continue
            present.add(key)
            field = self.env["ir.model.fields"]._get(odoo_model, field_name)
            if not field:
                raise ValueError(
                    f"Default mapping of {external_type}: {odoo_model} has no field {field_name}"
                )
            lines = [
                {
                    "external_value": line["external_value"],
                    "odoo_value": line.get("odoo_value"),
                    "odoo_record_id": line["odoo_record"].id if line.get("odoo_record") else False,
                    "sequence": line.get("sequence", 10),
                }
                for line in values.pop("value_mappings", ())
            ]
            vals_list.append(
                {
                    **scope,
                    **values,
                    "field_id": field.id,
                    "company_id": backend.company_id.id,
                    "value_mapping_ids": [Command.create(line) for line in lines],
                }
            )
        return self.sudo().create(vals_list)


# The field holding a model's internal reference, for a lookup by reference: a partner's
# ``ref``, a product's ``default_code``.
REFERENCE_FIELDS = ("ref", "default_code")


def lookup_field_name(model, lookup_by):
    """The field of ``model`` a lookup by name, email or reference reads."""
    if lookup_by == "name":
        return model._rec_name
    if lookup_by == "ref":
        return next((name for name in REFERENCE_FIELDS if name in model._fields), lookup_by)
    return lookup_by


def _escape_like(text):
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
