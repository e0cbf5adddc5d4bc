"""Odoo's values for an item, in the shapes Podio's create and update calls take.

The field mappings give Odoo's values as the flat record keys the import reads
(``lib.mapper.item_record``): ``email``, ``phone:mobile``, ``address:city``... An export
sends only the fields whose value differs from what the item holds, each whole, as the
notes' "value to write" column gives it: a typed list keeps the item's other values, a
location keeps its other parts, a date's end keeps its start. A category is written as
the ids of the options whose text Odoo's value names (a status mapped from an order's
state), an app reference as the ids of the items it names (an order's customer). An
empty value clears the field (an empty list).
"""

from datetime import date, datetime, timezone

from odoo.addons.connector_base.lib.errors import ValidationError

from .mapper import FAX_TYPES, LOCATION_PARTS, MOBILE_TYPE, item_record, unescape

# The notes' first type of each typed list: what a value of no given type is written as.
DEFAULT_TYPES = {"email": "work", "phone": "work", "tel": "work"}
WRITE_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def field_types(fields):
    """{field external id (or id): type} of an item's ``fields`` or an app's field definitions."""
    return {field.get("external_id") or str(field["field_id"]): field.get("type") for field in fields or ()}


def category_options(fields):
    """{field external id (or id): {option text in lower case: option id}} of the category
    fields among an item's ``fields`` or an app's field definitions that describe their options."""
    found = {}
    for field in fields or ():
        options = ((field.get("config") or {}).get("settings") or {}).get("options")
        if field.get("type") == "category" and options:
            found[field.get("external_id") or str(field["field_id"])] = {
                unescape(option["text"]).strip().lower(): option["id"]
                for option in options
                if option.get("status", "active") != "deleted"
            }
    return found


def written_fields(wanted):
    """The field external ids the flat keys of ``wanted`` write to."""
    return {key.partition(":")[0] for key in wanted}


def item_fields(wanted, item, types, options=None, currency=None):
    """{field external id: value to write} where ``wanted`` (flat keys and Odoo's values)
    differs from ``item`` (None for a new item: its non-empty values). ``types``: the
    fields' types (:func:`field_types`); ``options``: the category fields' options
    (:func:`category_options`); ``currency``: the record's currency code, for an amount
    whose currency neither ``wanted`` nor the item gives (a new line item's price)."""
    current = item_record(item) if item else {}
    held = {
        field.get("external_id") or str(field["field_id"]): field.get("values") or []
        for field in (item or {}).get("fields") or ()
    }
    parts_by_field = {}
    for key, value in wanted.items():
        if _same(value, current.get(key)):
            continue
        field, _sep, part = key.partition(":")
        parts_by_field.setdefault(field, {})[part] = value
    return {
        field: _write_value(
            field, types.get(field), parts, held.get(field) or [], (options or {}).get(field), currency
        )
        for field, parts in parts_by_field.items()
    }


def _empty(value):
    return value is None or value is False or value in ("", [])


def _comparable(value):
    if _empty(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, datetime):
        return value.strftime(WRITE_TIME_FORMAT)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        text = value.strip()
        try:
            return float(text)
        except ValueError:
            return text
    return value


def _moment(value):
    """``value``, or the naive UTC datetime of an ISO 8601 text with a time (what the
    mappings export an Odoo datetime as)."""
    if isinstance(value, str) and len(value) > 10 and value[10] == "T":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment
    return value


def _same(wanted, current):
    wanted = _moment(wanted)
    # A day Podio holds without a time is Odoo's datetime at midnight of that day.
    if isinstance(current, date) and not isinstance(current, datetime) and _is_midnight(wanted):
        wanted = wanted.date()
    return _comparable(wanted) == _comparable(current)


def _is_midnight(value):
    return isinstance(value, datetime) and value.time() == datetime.min.time()


def _write_value(field, kind, parts, held, options, default_currency=None):
    whole = parts.get("")
    if kind == "text":
        return [] if _empty(whole) else str(whole)
    if kind in ("number", "progress", "duration"):
        return [] if _empty(whole) else (int(whole) if kind != "number" else float(whole))
    if kind == "money":
        amount = whole if "" in parts else (held[0].get("value") if held else None)
        currency = parts.get("currency") or (held[0].get("currency") if held else None) or default_currency
        if _empty(amount):
            return []
        if not currency:
            raise ValidationError(f"Podio field {field!r} (money) needs a currency: map {field}:currency too")
        return {"value": float(amount), "currency": currency}
    if kind == "date":
        return _date(parts, held)
    if kind == "category":
        return _category(field, whole, options)
    if kind == "app":
        return [int(item_id) for item_id in _listed(whole)]
    if kind in ("email", "phone", "tel"):
        return _typed_list(DEFAULT_TYPES[kind], parts, held)
    if kind == "location":
        return _location(parts, held)
    raise ValidationError(
        f"Podio field {field!r} ({kind or 'not in the app'}) cannot be written by the connector: "
        "set its mapping to import only"
    )


def _listed(value):
    if _empty(value):
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _category(field, texts, options):
    """The ids of the options named by ``texts`` (one text or a list)."""
    if options is None:
        raise ValidationError(f"Podio gave no options for category field {field!r}: it cannot be written")
    ids = []
    for text in _listed(texts):
        option_id = options.get(str(text).strip().lower())
        if option_id is None:
            raise ValidationError(
                f"Podio field {field!r} has no option {text!r}: add it in Podio or change the value map"
            )
        ids.append(option_id)
    return ids


def _date(parts, held):
    """A date's start and end; a mapped end alone keeps the start the item holds (Podio
    needs a start). No start at all: the field is cleared."""
    current = held[0] if held else {}
    # A date the item holds without a time stays a day when Odoo's value is midnight.
    days_only = bool(current) and not current.get("start_time_utc")
    value = {}
    if "" in parts:
        if not _empty(parts[""]):
            value.update(_date_side("start", parts[""], days_only))
    elif current.get("start_time_utc") and current.get("start_utc"):
        value["start_utc"] = current["start_utc"]
    elif current.get("start_date_utc"):
        value["start_date"] = current["start_date_utc"]
    if value and not _empty(parts.get("end")):
        value.update(_date_side("end", parts["end"], days_only))
    return value or []


def _date_side(side, moment, days_only=False):
    moment = _moment(moment)
    if days_only and _is_midnight(moment):
        moment = moment.date()
    if isinstance(moment, datetime):
        return {f"{side}_utc": moment.strftime(WRITE_TIME_FORMAT)}
    if isinstance(moment, date):
        return {f"{side}_date": moment.isoformat()}
    text = str(moment)
    return {f"{side}_date": text} if len(text) == 10 else {f"{side}_utc": text[:19].replace("T", " ")}


def _typed_list(default_type, parts, held):
    """The field's whole list: each part (the first value, a type, ``landline``) replaced in
    place, appended when the item has none, removed when emptied; the other values kept."""
    values = [{"type": value.get("type") or "other", "value": value.get("value")} for value in held]
    for part, wanted in parts.items():
        if part == "":
            index, kind = next((i for i, value in enumerate(values) if value["value"]), None), default_type
        elif part == "landline":
            index = next(
                (
                    i
                    for i, value in enumerate(values)
                    if value["type"] != MOBILE_TYPE and value["type"] not in FAX_TYPES
                ),
                None,
            )
            kind = default_type
        else:
            index, kind = next((i for i, value in enumerate(values) if value["type"] == part), None), part
        if _empty(wanted):
            if index is not None:
                values.pop(index)
        elif index is None:
            values.append({"type": kind, "value": str(wanted).strip()})
        else:
            values[index]["value"] = str(wanted).strip()
    return values


def _location(parts, held):
    """The location's parts with the mapped ones replaced, and its text made from them."""
    current = dict(held[0]) if held else {}
    value = {source: current.get(source) for source in LOCATION_PARTS.values() if current.get(source)}
    for part, wanted in parts.items():
        source = LOCATION_PARTS.get(part)
        if part == "":
            continue
        if source is None:
            raise ValidationError(f"Podio locations have no part {part!r}")
        if _empty(wanted):
            value.pop(source, None)
        else:
            value[source] = str(wanted).strip()
    text = parts.get("") or ", ".join(
        str(value[source])
        for source in ("street_address", "postal_code", "city", "state", "country")
        if value.get(source)
    )
    if not text:
        return []
    return {**value, "value": str(text)}


def created_external_id(model_name, record_id, token):
    """The ``external_id`` an item made for an Odoo record carries: the record, and the create
    intent's token, so a retry finds the item an interrupted attempt made (and no other)."""
    return f"odoo-{model_name.replace('.', '-')}-{record_id}-{token}"
