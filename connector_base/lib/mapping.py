"""The field-mapping engine: external records to Odoo values and back.

Every connector maps through this module; none writes its own. The Odoo side
(``connector.field.mapping``) turns its records into :class:`FieldRule` values and
builds one :class:`Mapper` per (backend, external type, Odoo model). The mapper
compiles each rule once into a closure (see :mod:`.converters`), so mapping a record
is a loop over closures: no configuration is looked up per record.

Lookups that need the database (a partner by email, a tag by name, a record by its
binding) go through a :class:`Resolver` the caller passes in. The mapper collects the
distinct keys of a whole batch first and asks the resolver once per rule, then reads
the answers from a dict while it maps.

Records are flat dicts (platform connectors flatten cells, custom fields and nested
objects first). An absent key, ``None``, ``""``, a blank text and an empty list are
all "no value": the rule's default applies, else a required rule fails, else the
Odoo field is emptied.
"""

import logging
from dataclasses import dataclass
from types import MappingProxyType
from typing import NamedTuple, Protocol

from . import converters
from .converters import BlankValue, InvalidValue
from .errors import ConfigurationError, ValidationError

_logger = logging.getLogger(__name__)

IMPORT, EXPORT, BOTH = "import", "export", "both"
DIRECTIONS = (IMPORT, EXPORT, BOTH)


@dataclass(frozen=True, slots=True)
class FieldRule:
    """How one external field maps to one Odoo field.

    ``default`` is written the way the platform would send the value (an option's
    label, a partner's name...) and is converted like one. ``value_map`` holds
    (external value, Odoo value) pairs, first pair first: the Odoo value is a selection
    key or a record id. ``relation``, ``lookup_by``, ``lookup_type`` and
    ``create_missing`` configure many2one and many2many lookups; ``lookup_type`` is the
    external type of the bindings read when ``lookup_by`` is ``"binding"``.
    ``authority`` says who wins a conflict on this field: empty asks a person, else
    ``odoo``, ``platform`` or ``newest`` (the binding upsert decides, from
    :attr:`Mapper.authorities`). ``unmatched`` says what a lookup key no record
    matches does: ``refuse`` the record (the default), or leave it out (``empty``),
    noted as a warning of the record naming the key.
    """

    odoo_field: str
    converter: str
    external_field: str = ""
    direction: str = BOTH
    label: str = ""
    odoo_type: str = ""
    required: bool = False
    default: str | None = None
    size: int = 0
    digits: int | None = None
    timezone: str = "UTC"
    selection: tuple = ()
    value_map: tuple = ()
    relation: str = ""
    lookup_by: str = "name"
    lookup_type: str = ""
    create_missing: bool = False
    authority: str = ""
    unmatched: str = "refuse"

    @property
    def title(self):
        """How messages name the rule."""
        return self.label or f"{self.external_field or '(no source)'} -> {self.odoo_field}"

    @property
    def imports(self):
        return self.direction in (IMPORT, BOTH)

    @property
    def exports(self):
        return self.direction in (EXPORT, BOTH)


class Resolver(Protocol):
    """Answers the lookups of a batch; the Odoo side implements it with one query per rule."""

    def resolve_keys(self, rule, keys):
        """{key: record id} for the keys of ``rule.relation`` found (or created when
        ``rule.create_missing``); keys not found are left out."""

    def resolve_ids(self, rule, ids):
        """{record id: external value} for the records of ``rule.relation`` that have one."""


class MappingError(ValidationError):
    """A record that cannot be mapped; it names the record, the field and the value.

    ``waits_for`` is the platform id of the object the record refers to through a lookup
    by binding that is not in Odoo yet (an order's customer, a line's order): the record
    can be quarantined waiting for it (``parent_id`` of ``_connector_quarantine``)."""

    def __init__(self, record_ref, rule, value, reason, waits_for=None):
        self.record_ref = record_ref
        self.field = rule.odoo_field if rule else None
        self.external_field = rule.external_field if rule else None
        self.value = value
        self.reason = reason
        self.waits_for = waits_for
        where = f"field {rule.title}, " if rule else ""
        super().__init__(f"Cannot map {record_ref}: {where}value {_short(value)}: {reason}.")


@dataclass(frozen=True, slots=True)
class MappingWarning:
    """Something the mapper changed to make a value fit (a text cut to the field's size)."""

    record_ref: str
    field: str
    value: object
    message: str

    def __str__(self):
        return f"{self.record_ref}, field {self.field}: {self.message}"


class MappedBatch(NamedTuple):
    """What :meth:`Mapper.to_odoo_batch` returns.

    ``good``: (external record, Odoo values) pairs; ``failed``: (external record,
    :class:`MappingError`) pairs, for the caller to quarantine; ``warnings``: the
    :class:`MappingWarning` of the good records.
    """

    good: list
    failed: list
    warnings: list


class BatchRun:
    """The state of one batch: the resolved lookup tables and the warnings noted."""

    __slots__ = ("notes", "tables")

    def __init__(self, tables=()):
        self.tables = tables
        self.notes = []

    def note(self, field, value, message):
        self.notes.append((field, value, message))


class _LookupPlan(NamedTuple):
    """A lookup rule; its position among the plans is its slot in ``BatchRun.tables``."""

    rule: FieldRule
    keys: object  # import: raw value -> its lookup keys
    mapped: object  # import: key -> record id of a value mapping, or None; export: {record id: value}


def _short(value, limit=80):
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _return_false(run):
    return False


def _return_no_records(run):
    return [(6, 0, [])]


class Mapper:
    """The compiled mapping of one external type to one Odoo model.

    Immutable once built, so one instance can be cached and shared by threads;
    the state of a batch lives in a :class:`BatchRun`.
    """

    def __init__(self, rules, *, external_type="record", odoo_model="", id_field="id"):
        self.rules = tuple(rules)
        self.external_type = external_type
        self.odoo_model = odoo_model
        self.id_field = id_field
        for rule in self.rules:
            check_rule(rule)
        importing = [rule for rule in self.rules if rule.imports]
        exporting = [rule for rule in self.rules if rule.exports]
        import_lookups, import_steps = [], []
        for rule in importing:
            slot = None
            if rule.converter in converters.LOOKUP_CONVERTERS:
                slot = len(import_lookups)
                import_lookups.append(
                    _LookupPlan(rule, converters.lookup_keys(rule), converters.mapped_record(rule))
                )
            import_steps.append((rule.external_field, rule.odoo_field, _import_step(rule, slot), rule))
        export_lookups, export_steps = [], []
        for rule in exporting:
            slot = None
            if rule.converter in converters.LOOKUP_CONVERTERS:
                slot = len(export_lookups)
                export_lookups.append(_LookupPlan(rule, None, converters.mapped_external(rule)))
            export_steps.append((rule.odoo_field, rule.external_field, _export_step(rule, slot), rule))
        self._import_lookups = tuple(import_lookups)
        self._import_steps = tuple(import_steps)
        self._export_lookups = tuple(export_lookups)
        self._export_steps = tuple(export_steps)
        self.import_fields = tuple(dict.fromkeys(rule.odoo_field for rule in importing))
        # {Odoo field: who wins a conflict}, as the binding upsert takes it.
        self.authorities = MappingProxyType(
            {rule.odoo_field: rule.authority for rule in importing if rule.authority}
        )
        self.export_fields = tuple(dict.fromkeys(rule.odoo_field for rule in exporting))

    # ------------------------------------------------------------------ import
    def to_odoo(self, record, resolver=None):
        """(Odoo values, warnings) of one external record; raises :class:`MappingError`."""
        batch = self.to_odoo_batch([record], resolver)
        if batch.failed:
            raise batch.failed[0][1]
        return batch.good[0][1], batch.warnings

    def to_odoo_batch(self, records, resolver=None):
        """Map every record; a record that fails is set aside and the others go on.

        Returns a :class:`MappedBatch`. Every required field and every value is checked
        here, so what comes out in ``good`` can be written as is.
        """
        run = BatchRun(self._resolve_keys(records, resolver))
        good, failed, warnings = [], [], []
        for record in records:
            try:
                values = self._values(record, run)
            except MappingError as error:
                failed.append((record, error))
                run.notes.clear()
            else:
                good.append((record, values))
                if run.notes:
                    warnings += self._warnings(self._record_ref(record), run)
        return MappedBatch(good, failed, warnings)

    def _values(self, record, run):
        if not isinstance(record, dict):
            raise MappingError(self._record_ref(record), None, record, "not a dict of external values")
        values = {}
        get = record.get
        raw = rule = None
        try:
            for key, field, step, rule in self._import_steps:  # noqa: B007 - names the failure
                raw = get(key)
                values[field] = step(raw, run)
        except InvalidValue as error:
            waits_for = (
                error.key
                if isinstance(error, converters.MissingRecord) and rule.lookup_by == "binding"
                else None
            )
            raise MappingError(self._record_ref(record), rule, raw, str(error), waits_for) from None
        return values

    def _record_ref(self, record):
        external_id = record.get(self.id_field) if isinstance(record, dict) else None
        if external_id is None or external_id == "":
            return f"{self.external_type} without {self.id_field}"
        return f"{self.external_type} {external_id}"

    def _warnings(self, record_ref, run):
        warnings = [MappingWarning(record_ref, field, value, message) for field, value, message in run.notes]
        run.notes.clear()
        for warning in warnings:
            _logger.warning("%s", warning)
        return warnings

    def _resolve_keys(self, records, resolver):
        tables = []
        for plan in self._import_lookups:
            rule = plan.rule
            raws = [record.get(rule.external_field) for record in records if isinstance(record, dict)]
            if rule.default not in (None, ""):
                raws.append(rule.default)
            wanted = set()
            for raw in raws:
                if raw is None:
                    continue
                try:
                    wanted.update(key for key in plan.keys(raw) if plan.mapped(key) is None)
                except (InvalidValue, BlankValue):
                    continue  # the record fails (or is empty) when mapped
            tables.append(_resolve(resolver, "resolve_keys", rule, wanted))
        return tables

    # ------------------------------------------------------------------ export
    def to_external(self, values, resolver=None):
        """External values of one Odoo record, given as a dict of Odoo values.

        Many2one values are ids (or (id, name) pairs), many2many values lists of ids;
        only the fields present in ``values`` are converted. ``values["id"]`` names the
        record in errors. Raises :class:`MappingError`.
        """
        return self.to_external_batch([values], resolver)[0]

    def to_external_batch(self, values_list, resolver=None):
        """:meth:`to_external` for many records, resolving their lookups together."""
        run = BatchRun(self._resolve_ids(values_list, resolver))
        return [self._external(values, run) for values in values_list]

    def _external(self, values, run):
        external = {}
        value = rule = None
        try:
            for field, key, step, rule in self._export_steps:  # noqa: B007 - names the failure
                if field in values:
                    value = values[field]
                    external[key] = step(value, run)
        except InvalidValue as error:
            record_ref = f"{self.odoo_model or 'record'},{values.get('id')}"
            raise MappingError(record_ref, rule, value, str(error)) from None
        return external

    def _resolve_ids(self, values_list, resolver):
        tables = []
        for plan in self._export_lookups:
            field = plan.rule.odoo_field
            wanted = set()
            for values in values_list:
                try:
                    ids = converters.record_ids(values.get(field))
                except InvalidValue:
                    continue  # the record fails when mapped
                wanted.update(record_id for record_id in ids if record_id not in plan.mapped)
            tables.append(_resolve(resolver, "resolve_ids", plan.rule, wanted))
        return tables


def _resolve(resolver, method, rule, wanted):
    if not wanted:
        return {}
    if resolver is None:
        raise ConfigurationError(f"{rule.title}: looking up {rule.relation or 'records'} needs a resolver")
    return getattr(resolver, method)(rule, wanted)


def check_rule(rule):
    """Raise :class:`ConfigurationError`, naming the rule, when it cannot work."""
    title = rule.title
    fits = converters.field_types(rule.converter)
    if not fits:
        raise ConfigurationError(f"{title}: unknown converter {rule.converter!r}")
    if rule.direction not in DIRECTIONS:
        raise ConfigurationError(f"{title}: unknown direction {rule.direction!r}")
    if rule.odoo_type and rule.odoo_type not in fits:
        raise ConfigurationError(
            f"{title}: the {rule.converter} converter cannot fill a {rule.odoo_type} field "
            f"(it fills {', '.join(fits)})"
        )
    has_default = rule.default not in (None, "")
    if rule.imports and not rule.external_field and not has_default:
        raise ConfigurationError(f"{title}: an imported field needs an external field or a default")
    if rule.exports and not rule.external_field:
        raise ConfigurationError(f"{title}: an exported field needs an external field")
    if rule.converter in converters.LOOKUP_CONVERTERS:
        if rule.lookup_by not in converters.LOOKUP_BY:
            raise ConfigurationError(f"{title}: unknown lookup {rule.lookup_by!r}")
        if rule.create_missing and rule.lookup_by not in converters.CREATING_LOOKUPS:
            raise ConfigurationError(f"{title}: only a lookup by name can create missing records")
    elif has_default and rule.imports:
        try:
            converters.IMPORTERS[rule.converter](rule)(rule.default, BatchRun())
        except (InvalidValue, BlankValue) as error:
            reason = str(error) or "blank"
            raise ConfigurationError(f"{title}: the default {rule.default!r} is {reason}") from None
    if rule.converter in ("date", "datetime"):
        converters.time_zone(rule)


def _import_step(rule, slot):
    """``step(raw, run)``: the Odoo value of one raw platform value, empty values included."""
    if slot is None:
        convert = converters.IMPORTERS[rule.converter](rule)
    else:
        convert = converters.LOOKUP_IMPORTERS[rule.converter](rule, slot)
    empty = _import_empty(rule, convert, slot)
    if not rule.external_field:

        def constant(raw, run):
            return empty(run)

        return constant

    if rule.converter == "boolean":
        # False is a value here, not the absence of one.
        def boolean(raw, run):
            if raw is None or raw == "":
                return empty(run)
            try:
                return convert(raw, run)
            except BlankValue:
                return empty(run)

        return boolean

    def step(raw, run):
        if not raw and (raw is None or raw is False or not isinstance(raw, (int, float))):
            return empty(run)
        try:
            return convert(raw, run)
        except BlankValue:
            return empty(run)

    return step


def _import_empty(rule, convert, slot):
    """``empty(run)``: the value of a rule when the platform sent none."""
    if rule.default not in (None, ""):
        if slot is not None:
            default = rule.default

            def looked_up_default(run):
                return convert(default, run)  # its keys were resolved with the batch

            return looked_up_default
        value = convert(rule.default, BatchRun())

        def constant_default(run):
            return value

        return constant_default
    if rule.required:

        def missing(run):
            raise InvalidValue("required, and the record has no value for it")

        return missing
    return _return_no_records if rule.converter == "many2many" else _return_false


def _export_step(rule, slot):
    """``step(value, run)``: the platform value of one Odoo value; empty Odoo values give None."""
    if slot is None:
        convert = converters.EXPORTERS[rule.converter](rule)
    else:
        convert = converters.LOOKUP_EXPORTERS[rule.converter](rule, slot)
    if rule.converter in ("boolean", "many2one", "many2many"):
        return convert  # they read False and empty lists themselves

    def step(value, run):
        if value is False or value is None:
            return None
        return convert(value, run)

    return step
