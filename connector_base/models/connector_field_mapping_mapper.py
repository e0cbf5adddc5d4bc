from collections import defaultdict
from types import MappingProxyType

from odoo import api, models, tools
from odoo.osv import expression

from ..lib import converters
from ..lib.mapping import FieldRule, Mapper
from ..lib.sync import FROM_CONNECTOR
from .connector_field_mapping import _escape_like, lookup_field_name


class ConnectorFieldMappingMapper(models.Model):
    """Compiling a backend's mapping lines into a cached mapper that resolves records through the ORM."""

    # One concern per file: several files of this addon extend this model.
    _inherit = "connector.field.mapping"  # pylint: disable=consider-merging-classes-inherited

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
