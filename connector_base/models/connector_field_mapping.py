from collections import defaultdict
from types import MappingProxyType

from odoo import Command, api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.osv import expression

from odoo.addons.base.models.res_partner import _tz_get

from ..lib import converters
from ..lib.errors import ConfigurationError
from ..lib.mapping import FieldRule, Mapper, check_rule
from ..lib.sync import FROM_CONNECTOR

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
VALUE_MAPPED_CONVERTERS = ("selection", "many2one", "many2many")


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

    # ------------------------------------------------------------------ checks
    @api.constrains(
        "model_id",
        "field_id",
        "converter",
        "direction",
        "external_field",
        "default_value",
        "required",
        "lookup_by",
        "create_missing",
        "timezone",
        "digits",
    )
    def _check_mapping(self):
        for mapping in self:
            mapping._check_odoo_field()
            try:
                check_rule(mapping._field_rule())
            except ConfigurationError as error:
                raise ValidationError(str(error)) from None
            mapping._check_lookup()
        self._check_value_mappings()

    def _check_odoo_field(self):
        field = self.field_id
        model = self.env.get(self.odoo_model)
        if field.model_id != self.model_id or model is None or field.name not in model._fields:
            raise ValidationError(
                self.env._(
                    "Field mapping %(mapping)s: the field %(field)s does not exist on %(model)s.",
                    mapping=self.display_name,
                    field=field.name,
                    model=self.odoo_model,
                )
            )
        odoo_field = model._fields[field.name]
        if (
            self.direction != "export"
            and odoo_field.compute
            and not odoo_field.inverse
            and odoo_field.readonly
        ):
            raise ValidationError(
                self.env._(
                    "Field mapping %(mapping)s: the field %(field)s is computed and cannot be imported.",
                    mapping=self.display_name,
                    field=field.name,
                )
            )
        if (
            self.direction != "export"
            and field.required
            and not self.external_field
            and not self.default_value
        ):
            raise ValidationError(
                self.env._(
                    "Field mapping %(mapping)s: the field %(field)s is required in Odoo; without an external "
                    "field it needs a default.",
                    mapping=self.display_name,
                    field=field.name,
                )
            )

    def _check_lookup(self):
        if self.converter not in converters.LOOKUP_CONVERTERS or self.lookup_by == "binding":
            return
        target = self.env[self.field_id.relation]
        lookup_field = lookup_field_name(target, self.lookup_by)
        field = target._fields.get(lookup_field)
        # A field inherited through _inherits (a user's email, a product's name) is stored on the parent.
        if field is None or not (field.store or (field.inherited and field.inherited_field.store)):
            raise ValidationError(
                self.env._(
                    "Field mapping %(mapping)s: %(model)s has no stored field to find records by %(lookup)s.",
                    mapping=self.display_name,
                    model=target._name,
                    lookup=self.lookup_by,
                )
            )

    def _check_value_mappings(self):
        lines = self.value_mapping_ids
        existing = set()
        for model_name in set(lines.mapped("odoo_record_model")) - {False}:
            ids = [line.odoo_record_id for line in lines if line.odoo_record_model == model_name]
            existing.update(
                (model_name, record_id) for record_id in self.env[model_name].browse(ids).exists().ids
            )
        for mapping in self.filtered("value_mapping_ids"):
            options = None
            if mapping.converter == "selection":
                field = self.env[mapping.odoo_model]._fields[mapping.odoo_field]
                options = [key for key, _label in field._description_selection(self.env)]
            for line in mapping.value_mapping_ids:
                problem = mapping._value_mapping_problem(line, options, existing)
                if problem:
                    raise ValidationError(
                        self.env._(
                            "Field mapping %(mapping)s, value %(value)s: %(problem)s",
                            mapping=mapping.display_name,
                            value=line.external_value,
                            problem=problem,
                        )
                    )

    def _value_mapping_problem(self, line, options, existing):
        if self.converter not in VALUE_MAPPED_CONVERTERS:
            return self.env._("only selections, linked records and tags take value mappings.")
        if self.converter == "selection":
            if line.odoo_value not in options:
                return self.env._(
                    "%(option)s is not an option of %(field)s (options: %(options)s).",
                    option=line.odoo_value or self.env._("nothing"),
                    field=self.odoo_field,
                    options=", ".join(options),
                )
        elif (line.odoo_record_model, line.odoo_record_id) not in existing:
            return self.env._("choose the %(model)s record it stands for.", model=self.field_id.relation)
        return None

    @api.constrains(
        "backend_model", "backend_id", "external_type", "model_id", "field_id", "direction", "active"
    )
    def _check_duplicates(self):
        """One import mapping per Odoo field, one export mapping per platform field."""
        scopes = {mapping._scope() for mapping in self if mapping.active}
        if not scopes:
            return
        siblings = self.search(
            expression.OR(
                [
                    [
                        ("backend_model", "=", backend_model),
                        ("backend_id", "=", backend_id),
                        ("external_type", "=", external_type),
                        ("odoo_model", "=", odoo_model),
                    ]
                    for backend_model, backend_id, external_type, odoo_model in scopes
                ]
            )
        )
        imports, exports = defaultdict(list), defaultdict(list)
        for mapping in siblings:
            if mapping.direction != "export":
                imports[mapping._scope(), mapping.odoo_field].append(mapping.display_name)
            if mapping.direction != "import" and mapping.external_field:
                exports[mapping._scope(), mapping.external_field].append(mapping.display_name)
        for (_scope, field_name), names in imports.items():
            if len(names) > 1:
                raise ValidationError(
                    self.env._(
                        "Field mappings %(mappings)s import into the same Odoo field %(field)s.",
                        mappings=", ".join(names),
                        field=field_name,
                    )
                )
        for (_scope, field_name), names in exports.items():
            if len(names) > 1:
                raise ValidationError(
                    self.env._(
                        "Field mappings %(mappings)s export to the same platform field %(field)s.",
                        mappings=", ".join(names),
                        field=field_name,
                    )
                )

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

    # ------------------------------------------------------------------ engine
    def _field_rule(self):
        """The pure-Python rule of this mapping."""
        self.ensure_one()
        field = self.env[self.odoo_model]._fields[self.odoo_field]
        selection = ()
        if field.type == "selection":
            selection = tuple(field._description_selection(self.with_context(lang="en_US").env))
        record_map = self.converter in converters.LOOKUP_CONVERTERS
        return FieldRule(
            odoo_field=self.odoo_field,
            converter=self.converter,
            external_field=self.external_field or "",
            direction=self.direction,
            label=self.display_name,
            odoo_type=field.type,
            required=self.required,
            default=self.default_value or None,
            size=getattr(field, "size", None) or 0,
            digits=self._rule_digits(field),
            timezone=self.timezone or "UTC",
            selection=selection,
            value_map=tuple(
                (line.external_value, line.odoo_record_id if record_map else line.odoo_value)
                for line in self.value_mapping_ids.sorted(lambda line: (line.sequence, line.id))
            ),
            relation=field.comodel_name or "",
            lookup_by=self.lookup_by or "name",
            lookup_type=self.lookup_external_type or "",
            create_missing=self.create_missing,
            authority=self.authority or "",
        )

    def _rule_digits(self, field):
        if self.digits:
            return self.digits
        if self.converter == "monetary":
            return (self.company_id or self.env.company).currency_id.decimal_places
        digits = field.get_digits(self.env) if field.type == "float" else None
        return digits[1] if digits else None

    @api.model
    @tools.ormcache("backend_model", "backend_id", "external_type", "odoo_model", "id_field")
    def _compiled_mapper(self, backend_model, backend_id, external_type, odoo_model, id_field):
        # sudo and English: one compiled mapper serves every user and language.
        mappings = (
            self.sudo()
            .with_context(lang="en_US", active_test=True)
            .search(
                [
                    ("backend_model", "=", backend_model),
                    ("backend_id", "=", backend_id),
                    ("external_type", "=", external_type),
                    ("odoo_model", "=", odoo_model),
                ]
            )
        )
        rules = [mapping._field_rule() for mapping in mappings]
        return Mapper(rules, external_type=external_type, odoo_model=odoo_model, id_field=id_field)

    @api.model
    def _get_mapper(self, backend, external_type, odoo_model, id_field="id"):
        """The mapper of ``external_type`` objects of ``backend`` to ``odoo_model`` records.

        Compiled once and cached until a mapping changes; the returned
        :class:`OdooMapper` answers lookups in this environment. ``id_field`` is the
        key holding the external id, used to name records in errors.
        """
        backend.ensure_one()
        mapper = self._compiled_mapper(backend._name, backend.id, external_type, odoo_model, id_field)
        return OdooMapper(mapper, OrmResolver(backend), self.env[odoo_model])

    @api.model
    @tools.ormcache("odoo_model")
    def _export_field_names(self, odoo_model):
        """{(backend model, backend id, external type): frozenset of exported field names}.

        The fields of ``odoo_model`` whose changes must reach each platform; shared and
        read-only (cached until a mapping changes).
        """
        mappings = self.sudo().search_fetch(
            [
                ("odoo_model", "=", odoo_model),
                ("direction", "in", ("export", "both")),
                ("external_field", "!=", False),
            ],
            ["backend_model", "backend_id", "external_type", "odoo_field"],
        )
        names = defaultdict(set)
        for mapping in mappings:
            names[mapping.backend_model, mapping.backend_id, mapping.external_type].add(mapping.odoo_field)
        return MappingProxyType({scope: frozenset(fields) for scope, fields in names.items()})

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


def lookup_field_name(model, lookup_by):
    """The field of ``model`` a lookup by name, email or reference reads."""
    return model._rec_name if lookup_by == "name" else lookup_by


def _escape_like(text):
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class OrmResolver:
    """Answers a mapper's lookups for one backend: one query per rule and batch."""

    def __init__(self, backend):
        self.backend = backend
        self.env = backend.env

    def resolve_keys(self, rule, keys):
        if rule.lookup_by == "binding":
            bindings = self._bindings(rule, [("external_id", "in", list(keys))])
            return {binding.external_id: binding.res_id for binding in bindings}
        model = self.env[rule.relation]
        field_name = lookup_field_name(model, rule.lookup_by)
        if rule.lookup_by in ("name", "email"):
            # People write names and emails in any case: match them as PostgreSQL's ILIKE does.
            domain = expression.OR([[(field_name, "=ilike", _escape_like(key))] for key in keys])
            by_value = {}
            for record in model.search_fetch(domain, [field_name], order="id"):
                by_value.setdefault((record[field_name] or "").lower(), record.id)
            found = {key: by_value[key.lower()] for key in keys if key.lower() in by_value}
        else:
            by_value = {}
            for record in model.search_fetch([(field_name, "in", list(keys))], [field_name], order="id"):
                by_value.setdefault(record[field_name], record.id)
            found = {key: by_value[key] for key in keys if key in by_value}
        if rule.create_missing:
            found.update(self._create_missing(model, field_name, [key for key in keys if key not in found]))
        return found

    def _create_missing(self, model, field_name, keys):
        spellings = {}
        for key in sorted(keys):
            spellings.setdefault(key.lower(), key)
        if not spellings:
            return {}
        created = model.with_context(**{FROM_CONNECTOR: True}).create(
            [{field_name: spelling} for spelling in spellings.values()]
        )
        ids = dict(zip(spellings, created.ids, strict=True))
        return {key: ids[key.lower()] for key in keys}

    def resolve_ids(self, rule, ids):
        if rule.lookup_by == "binding":
            bindings = self._bindings(rule, [("res_id", "in", list(ids))])
            return {binding.res_id: binding.external_id for binding in bindings}
        model = self.env[rule.relation].with_context(active_test=False)
        field_name = lookup_field_name(model, rule.lookup_by)
        records = model.search_fetch([("id", "in", list(ids))], [field_name])
        return {record.id: record[field_name] for record in records if record[field_name]}

    def _bindings(self, rule, domain):
        scope = [
            ("backend_model", "=", self.backend._name),
            ("backend_id", "=", self.backend.id),
            ("res_model", "=", rule.relation),
        ]
        if rule.lookup_type:
            scope.append(("external_type", "=", rule.lookup_type))
        return (
            self.env["connector.external.binding"]
            .sudo()
            .search_fetch(scope + domain, ["external_id", "res_id"], order="id desc")
        )


class OdooMapper:
    """A compiled mapping bound to an environment, as :meth:`_get_mapper` returns it."""

    def __init__(self, mapper, resolver, model):
        self.mapper = mapper
        self.resolver = resolver
        self.model = model

    @property
    def rules(self):
        return self.mapper.rules

    @property
    def authorities(self):
        """{Odoo field: who wins a conflict}: the ``authorities`` of ``_connector_upsert``."""
        return self.mapper.authorities

    def to_odoo(self, record):
        """(Odoo values, warnings) of one external record; raises ``MappingError``."""
        return self.mapper.to_odoo(record, self.resolver)

    def to_odoo_batch(self, records):
        """A ``MappedBatch`` (good, failed, warnings) of many external records."""
        return self.mapper.to_odoo_batch(records, self.resolver)

    def to_external(self, record, fields=None):
        """External values of one Odoo record (only of ``fields`` when given)."""
        record.ensure_one()
        return self.to_external_batch(record, fields)[0]

    def to_external_batch(self, records, fields=None):
        """External values of each record of a recordset, read and resolved together."""
        names = [name for name in self.mapper.export_fields if fields is None or name in fields]
        if not names:
            return [{} for _record in records]
        return self.mapper.to_external_batch(records.read(names, load=None), self.resolver)
