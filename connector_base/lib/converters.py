"""Value converters of the mapping engine: one factory per converter and direction.

A factory receives a :class:`~.mapping.FieldRule` and does the configuration work
once; it returns a closure ``convert(value, run)`` that the mapper calls for every
record. ``run`` is the state of one batch (:class:`~.mapping.BatchRun`): the lookup
tables resolved before the batch and the list where warnings are noted.

Import closures turn a non-empty platform value into an Odoo value, export closures a
non-empty Odoo value into a platform value. Empty values never reach them: the mapper
applies the rule's default, its ``required`` flag or the empty value of the type.

A closure raises :class:`InvalidValue` for a value it cannot convert (the mapper adds
which record and field) and :class:`BlankValue` for a blank text that stands for "no
value". Neither is raised on the happy path.
"""

import html
import math
import re
from datetime import date, datetime, time
from html.parser import HTMLParser
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .dates import UTC, parse_iso_datetime
from .errors import ConfigurationError

# The Odoo field types each converter can fill.
FIELD_TYPES = {
    "text": ("char", "text", "html"),
    "html": ("html", "char", "text"),
    "integer": ("integer",),
    "float": ("float", "monetary"),
    "monetary": ("monetary", "float"),
    "boolean": ("boolean",),
    "date": ("date",),
    "datetime": ("datetime",),
    "selection": ("selection",),
    "many2one": ("many2one",),
    "many2many": ("many2many",),
}
# The converter a new mapping gets for each Odoo field type.
DEFAULT_CONVERTER = {
    "char": "text",
    "text": "text",
    "html": "html",
    "integer": "integer",
    "float": "float",
    "monetary": "monetary",
    "boolean": "boolean",
    "date": "date",
    "datetime": "datetime",
    "selection": "selection",
    "many2one": "many2one",
    "many2many": "many2many",
}
LOOKUP_CONVERTERS = ("many2one", "many2many")
LOOKUP_BY = ("name", "email", "ref", "binding")
# Lookups that may create the record they miss: a name is all a tag or a stage needs.
CREATING_LOOKUPS = ("name",)
PLAIN_TEXT_TYPES = ("char", "text")

INTEGER_RANGE = (-(2**31), 2**31 - 1)  # PostgreSQL integer columns
TRUE_WORDS = frozenset({"true", "yes", "y", "1", "on", "checked"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "off", "unchecked"})
# "$1,234.50", "1,234.50 EUR", "-12.5": a symbol or code, comma thousands, a dot for decimals.
MONEY = re.compile(
    r"^(?:[A-Z]{3}|[^\w\s.,+-]{1,3})?\s*([+-]?)\s*(\d{1,3}(?:,\d{3})+|\d*)(\.\d+)?\s*(?:[A-Z]{3}|[^\w\s.,+-]{1,3})?$"
)


class InvalidValue(Exception):
    """A value a converter cannot use; the text says why, the mapper says where."""


class MissingRecord(InvalidValue):
    """A lookup key no record matches; ``key`` is the key (for a lookup by binding, the
    platform id of the object the record waits for)."""

    def __init__(self, message, key):
        super().__init__(message)
        self.key = key


class BlankValue(Exception):
    """A blank text standing for "no value": the mapper treats it as empty."""


def field_types(converter):
    """The Odoo field types ``converter`` can fill (empty for an unknown converter)."""
    return FIELD_TYPES.get(converter, ())


def time_zone(rule):
    """The time zone of ``rule``; an unknown name fails naming the mapping."""
    try:
        return ZoneInfo(rule.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(f"{rule.title}: unknown time zone {rule.timezone!r}") from None


def round_half_up(value, digits):
    """Round like Odoo's ``float_round``: halves away from zero, after nudging by one unit
    in the last place so that 2.675 (stored as 2.67499...) rounds to 2.68."""
    scaled = value * 10**digits
    if scaled:
        scaled += math.copysign(2 ** (math.log2(abs(scaled)) - 52), scaled)
    return math.copysign(math.floor(abs(scaled) + 0.5), scaled) / 10**digits


# ---------------------------------------------------------------------- text
def _fit_text(rule):
    """Text as the Odoo column accepts it: no NUL character, cut to the field's size."""
    size = rule.size or 0
    field = rule.odoo_field

    def fit(text, run):
        if "\x00" in text:
            # PostgreSQL refuses NUL characters: dropping them beats losing the record.
            text = text.replace("\x00", "")
            run.note(field, text, "NUL characters removed")
        if size and len(text) > size:
            run.note(field, text, f"text cut from {len(text)} to {size} characters")
            text = text[:size]
        return text

    return fit


def _as_text(raw):
    if raw.__class__ is str:
        return raw
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        raise InvalidValue("not a text")
    return str(raw)


def import_text(rule):
    fit = _fit_text(rule)

    def convert(raw, run):
        text = raw if raw.__class__ is str else _as_text(raw)
        if text.isspace():
            raise BlankValue
        return fit(text, run)

    return convert


def export_text(rule):
    def convert(value, run):
        return str(value)

    return convert


# ---------------------------------------------------------------------- html
class _PlainTextParser(HTMLParser):
    """Collects readable text: blocks become paragraphs, ``<br>`` a new line, list items
    dashed lines, link targets follow their text; scripts and styles are dropped."""

    PARAGRAPHS = frozenset(
        {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote", "pre", "section"}
    )
    LINES = frozenset({"tr", "dt", "dd", "article", "header", "footer"})
    HIDDEN = frozenset({"script", "style", "head", "title", "template"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.hidden = 0
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in self.PARAGRAPHS:
            self.parts.append("\n\n")
        elif tag in self.LINES:
            self.parts.append("\n")
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.parts)))

    def handle_startendtag(self, tag, attrs):
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden = max(self.hidden - 1, 0)
        elif tag in self.PARAGRAPHS:
            self.parts.append("\n\n")
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            text = "".join(self.parts[start:]).strip()
            if href and not href.startswith(("#", "javascript:")) and href.removeprefix("mailto:") != text:
                self.parts.append(f" ({href})")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(re.sub(r"\s+", " ", data))

    def text(self):
        text = "".join(self.parts)
        text = re.sub(r" *\n *", "\n", text)
        text = re.sub(r"\n{3,}", "\n\n", text)
        return text.strip()


def html_to_text(markup):
    """Readable plain text of an HTML fragment."""
    parser = _PlainTextParser()
    parser.feed(str(markup))
    parser.close()
    return parser.text()


def text_to_html(text):
    """HTML showing ``text`` as written: escaped, blank lines as paragraphs, lines as breaks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    paragraphs = [part for part in re.split(r"\n[ \t]*\n", text) if part.strip()]
    return "".join(
        "<p>{}</p>".format(html.escape(part.strip("\n"), quote=False).replace("\n", "<br>"))
        for part in paragraphs
    )


def import_html(rule):
    """The side that is not HTML holds plain text: plain text from the platform is escaped
    into an Odoo HTML field; HTML from the platform becomes text in a char/text field."""
    if rule.odoo_type in PLAIN_TEXT_TYPES:
        fit = _fit_text(rule)

        def to_plain(raw, run):
            text = html_to_text(_as_text(raw))
            if not text:
                raise BlankValue
            return fit(text, run)

        return to_plain

    def to_html(raw, run):
        markup = text_to_html(_as_text(raw))
        if not markup:
            raise BlankValue
        return markup

    return to_html


def export_html(rule):
    if rule.odoo_type in PLAIN_TEXT_TYPES:

        def to_html(value, run):
            return text_to_html(str(value))

        return to_html

    def to_plain(value, run):
        return html_to_text(value)

    return to_plain


# ---------------------------------------------------------------------- numbers
def _parse_integer(text):
    try:
        return int(text)
    except ValueError:
        stripped = text.strip()
        if not stripped:
            raise BlankValue from None
        try:
            number = float(stripped)
        except ValueError:
            raise InvalidValue("not an integer") from None
        if not number.is_integer():
            raise InvalidValue("not a whole number") from None
        return int(number)


def import_integer(rule):
    low, high = INTEGER_RANGE

    def convert(raw, run):
        kind = raw.__class__
        if kind is int:
            number = raw
        elif kind is str:
            number = _parse_integer(raw)
        elif kind is float:
            if not raw.is_integer():
                raise InvalidValue("not a whole number")
            number = int(raw)
        else:
            raise InvalidValue("not an integer")
        if number < low or number > high:
            raise InvalidValue("outside the integer range of the database")
        return number

    return convert


def export_integer(rule):
    def convert(value, run):
        return int(value)

    return convert


def _parse_float(text):
    try:
        return float(text)
    except ValueError:
        if not text.strip():
            raise BlankValue from None
        raise InvalidValue("not a number") from None


def _parse_money(text):
    try:
        return float(text)
    except ValueError:
        stripped = text.strip()
        if not stripped:
            raise BlankValue from None
        match = MONEY.match(stripped)
        if not match or not (match.group(2) or match.group(3)):
            raise InvalidValue("not an amount") from None
        sign, units, decimals = match.groups()
        return float(f"{sign}{units.replace(',', '') or '0'}{decimals or ''}")


def _import_number(parse, digits):
    def convert(raw, run):
        kind = raw.__class__
        if kind is float:
            number = raw
        elif kind is int:
            number = float(raw)
        elif kind is str:
            number = parse(raw)
        else:
            raise InvalidValue("not a number")
        if not math.isfinite(number):
            raise InvalidValue("not a finite number")
        return number if digits is None else round_half_up(number, digits)

    return convert


def import_float(rule):
    return _import_number(_parse_float, rule.digits)


def import_monetary(rule):
    return _import_number(_parse_money, 2 if rule.digits is None else rule.digits)


def _export_number(digits):
    def convert(value, run):
        return float(value) if digits is None else round_half_up(float(value), digits)

    return convert


def export_float(rule):
    return _export_number(rule.digits)


def export_monetary(rule):
    return _export_number(2 if rule.digits is None else rule.digits)


# ---------------------------------------------------------------------- boolean
def import_boolean(rule):
    def convert(raw, run):
        if raw is True or raw is False:
            return raw
        if raw.__class__ is str:
            word = raw.strip().lower()
            if word in TRUE_WORDS:
                return True
            if word in FALSE_WORDS:
                return False
            if not word:
                raise BlankValue
        elif raw.__class__ is int and raw in (0, 1):
            return bool(raw)
        raise InvalidValue("not a yes/no value")

    return convert


def export_boolean(rule):
    def convert(value, run):
        return bool(value)

    return convert


# ---------------------------------------------------------------------- dates
def _parse_moment(text):
    try:
        return parse_iso_datetime(text)
    except ValueError:
        stripped = text.strip()
        if not stripped:
            raise BlankValue from None
        try:
            return parse_iso_datetime(stripped)
        except ValueError:
            raise InvalidValue("not an ISO 8601 date and time") from None


def import_date(rule):
    """A date, or the day a date and time falls on in the rule's time zone."""
    zone = time_zone(rule)

    def day_of(moment):
        return (moment if moment.tzinfo is None else moment.astimezone(zone)).date()

    def convert(raw, run):
        if raw.__class__ is str:
            try:
                return date.fromisoformat(raw)
            except ValueError:
                return day_of(_parse_moment(raw))
        if isinstance(raw, datetime):
            return day_of(raw)
        if isinstance(raw, date):
            return raw
        raise InvalidValue("not a date")

    return convert


def export_date(rule):
    def convert(value, run):
        if isinstance(value, datetime):
            value = value.date()
        elif value.__class__ is str:
            try:
                value = date.fromisoformat(value)
            except ValueError:
                raise InvalidValue("not an ISO 8601 date") from None
        return value.isoformat()

    return convert


def import_datetime(rule):
    """Naive UTC, as Odoo stores it. A time without offset is read in the rule's time zone
    (at a daylight-saving change, the first of two readings); a bare date is its midnight."""
    zone = time_zone(rule)

    def convert(raw, run):
        if raw.__class__ is str:
            moment = _parse_moment(raw)
        elif isinstance(raw, datetime):
            moment = raw
        elif isinstance(raw, date):
            moment = datetime.combine(raw, time())
        else:
            raise InvalidValue("not a date and time")
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        # Odoo keeps whole seconds: dropping the rest keeps content hashes stable.
        return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0)

    return convert


def export_datetime(rule):
    """ISO 8601 in the rule's time zone, with its offset; a zero offset is written Z."""
    zone = time_zone(rule)

    def convert(value, run):
        if value.__class__ is str:
            try:
                value = parse_iso_datetime(value)
            except ValueError:
                raise InvalidValue("not an ISO 8601 date and time") from None
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value
        text = moment.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return convert


# ---------------------------------------------------------------------- selection
def _folded(table):
    return {key.strip().lower(): value for key, value in table.items() if isinstance(key, str)}


def import_selection(rule):
    """Value map first, then the option's key, then its label; case and spaces aside."""
    table = {label: key for key, label in rule.selection}
    table.update({key: key for key, _label in rule.selection})
    table.update(dict(reversed(rule.value_map)))  # the first line for a value wins
    folded = _folded(table)

    def convert(raw, run):
        found = table.get(raw) if raw.__class__ is str else None
        if found is not None:
            return found
        if isinstance(raw, bool) or not isinstance(raw, (str, int)):
            raise InvalidValue("not an option")
        text = str(raw).strip()
        if not text:
            raise BlankValue
        found = folded.get(text.lower())
        if found is None:
            raise InvalidValue("in no value mapping and not an option of the field")
        return found

    return convert


def export_selection(rule):
    """The first value mapped to the option, else the option's label."""
    table = dict(rule.selection)
    table.update({key: external for external, key in reversed(rule.value_map)})

    def convert(value, run):
        found = table.get(value)
        if found is None:
            raise InvalidValue("not an option of the field")
        return found

    return convert


# ---------------------------------------------------------------------- lookups
def _lookup_key(raw):
    if raw.__class__ is str:
        key = raw.strip()
    elif raw.__class__ is int:
        key = str(raw)
    else:
        raise InvalidValue("not a text or number to look up")
    if not key:
        raise BlankValue
    return key


def lookup_keys(rule):
    """``keys(raw)``: the lookup keys of a platform value, a list (one key for many2one).

    A many2many value is a list, or a text whose items are separated by commas.
    """
    if rule.converter == "many2one":

        def one_key(raw):
            return [_lookup_key(raw)]

        return one_key

    def many_keys(raw):
        if raw.__class__ is str:
            keys = [part.strip() for part in raw.split(",")]
        elif isinstance(raw, (list, tuple, set, frozenset)):
            keys = [item.strip() if item.__class__ is str else _lookup_key(item) for item in raw]
        else:
            raise InvalidValue("not a list")
        keys = [key for key in keys if key]
        if not keys:
            raise BlankValue
        return keys

    return many_keys


def mapped_record(rule):
    """``mapped(key)``: the record id a value mapping gives a key, or None."""
    table = dict(reversed(rule.value_map))
    if not table:

        def unmapped(key):
            return None

        return unmapped
    folded = _folded(table)

    def mapped(key):
        found = table.get(key)
        return folded.get(key.lower()) if found is None else found

    return mapped


def _missing(rule, key):
    what = "external id" if rule.lookup_by == "binding" else rule.lookup_by
    hint = "" if rule.create_missing or rule.lookup_by != "name" else " (creating missing ones is off)"
    return MissingRecord(f"no {rule.relation or 'record'} with {what} {key!r}{hint}", key)


UNMATCHED_NOTE = "no record matches it: left empty"


def import_many2one(rule, slot):
    keys = lookup_keys(rule)
    mapped = mapped_record(rule)
    leave_empty = rule.unmatched == "empty"

    def convert(raw, run):
        key = keys(raw)[0]
        found = mapped(key)
        if found is None:
            found = run.tables[slot].get(key)
            if found is None:
                if leave_empty:
                    run.note(rule.odoo_field, key, UNMATCHED_NOTE)
                    return False
                raise _missing(rule, key)
        return found

    return convert


def import_many2many(rule, slot):
    keys = lookup_keys(rule)
    mapped = mapped_record(rule)
    leave_empty = rule.unmatched == "empty"

    def convert(raw, run):
        table = run.tables[slot]
        ids = []
        for key in keys(raw):
            found = mapped(key)
            if found is None:
                found = table.get(key)
                if found is None:
                    if leave_empty:
                        run.note(rule.odoo_field, key, UNMATCHED_NOTE)
                        continue
                    raise _missing(rule, key)
            if found not in ids:
                ids.append(found)
        return [(6, 0, ids)]

    return convert


def record_ids(value):
    """Record ids of a relational value as read from Odoo: an id, (id, name), ids, or a recordset."""
    if value is None or value is False:
        return []
    if value.__class__ is int:
        return [value]
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], str):
        return [value[0]]
    ids = getattr(value, "ids", value)
    if not isinstance(ids, (list, tuple)):
        raise InvalidValue("not a record id")
    return list(ids)


def mapped_external(rule):
    """{record id: external value} from the value mappings; the first line for a record wins."""
    return {record_id: external for external, record_id in reversed(rule.value_map)}


def export_many2one(rule, slot):
    reverse = mapped_external(rule)

    def convert(value, run):
        ids = record_ids(value)
        if not ids:
            return None
        found = reverse.get(ids[0])
        if found is None:
            found = run.tables[slot].get(ids[0])
            if found is None:
                raise InvalidValue(f"{rule.relation} {ids[0]} has no {rule.lookup_by} to send")
        return found

    return convert


def export_many2many(rule, slot):
    reverse = mapped_external(rule)

    def convert(value, run):
        table = run.tables[slot]
        externals = []
        for record_id in record_ids(value):
            found = reverse.get(record_id)
            if found is None:
                found = table.get(record_id)
                if found is None:
                    raise InvalidValue(f"{rule.relation} {record_id} has no {rule.lookup_by} to send")
            externals.append(found)
        return externals

    return convert


IMPORTERS = {
    "text": import_text,
    "html": import_html,
    "integer": import_integer,
    "float": import_float,
    "monetary": import_monetary,
    "boolean": import_boolean,
    "date": import_date,
    "datetime": import_datetime,
    "selection": import_selection,
}
EXPORTERS = {
    "text": export_text,
    "html": export_html,
    "integer": export_integer,
    "float": export_float,
    "monetary": export_monetary,
    "boolean": export_boolean,
    "date": export_date,
    "datetime": export_datetime,
    "selection": export_selection,
}
LOOKUP_IMPORTERS = {"many2one": import_many2one, "many2many": import_many2many}
LOOKUP_EXPORTERS = {"many2one": export_many2one, "many2many": export_many2many}
