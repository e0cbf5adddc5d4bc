"""Podio items to the flat records the field-mapping engine of connector_base reads.

An item's ``fields`` become keys named by each field's ``external_id``; typed lists and
structured values add ``<external_id>:<part>`` keys (an email's ``:work``, a location's
``:city``, a money's ``:currency``, a date's ``:end``). Dates are taken from the ``*_utc``
keys only (the others are in the API user's time zone), as naive UTC datetimes.

What each field type gives (``FIELD_KEYS`` lists the parts, for the mapping form):

- text: plain text; number, progress, duration (seconds): a number; money: the amount,
  ``:currency``; date: the start, ``:end`` only when the date has one; calculation
  (read-only): a number, or a date when its formula gives one, else its text;
- category: the option's text (a list when several), ``:ids`` the option ids;
- contact: the profile's name, ``:email`` its first address, ``:ids`` the profile ids;
- app (a reference to items of another app): the item id (a list when several),
  ``:title`` the first item's title;
- email, phone: the first value, ``:<type>`` the first of each type (phone also
  ``:landline``, the first that is neither a mobile nor a fax);
- location: the formatted address, ``:street``, ``:zip``, ``:city``, ``:state``, ``:country``;
- embed (a link): its URL, ``:title``;
- image, file: the file names (a list when several); :func:`item_files` gives the files.
"""

import html
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from .client import parse_podio_time

ITEM_TYPE = "item"
# The parts of a location value, by the key they get in the flat record.
LOCATION_PARTS = {
    "street": "street_address",
    "zip": "postal_code",
    "city": "city",
    "state": "state",
    "country": "country",
}
# Phone types that are not a line to call (faxes), and the one Odoo keeps as mobile.
FAX_TYPES = frozenset({"work_fax", "private_fax"})
MOBILE_TYPE = "mobile"
FILE_TYPES = frozenset({"image", "file"})
# The keys of the flat record each field type gives, besides its own external id.
FIELD_KEYS = {
    "money": (":currency",),
    "date": (":end",),
    "category": (":ids",),
    "contact": (":email", ":ids"),
    "app": (":title",),
    "email": (":work", ":home", ":other"),
    "phone": (":mobile", ":landline", ":work", ":home", ":main", ":other"),
    "location": tuple(f":{part}" for part in LOCATION_PARTS),
    "embed": (":title",),
}
_TAGS = re.compile(r"<[^>]+>")
_BREAKS = re.compile(r"<br\s*/?>|</p>\s*<p[^>]*>", re.IGNORECASE)


def unescape(text):
    """Podio's HTML-escaped app names and labels, as people read them."""
    return html.unescape(text or "")


def plain_text(value):
    """A text field's value (it may hold HTML) as plain text."""
    text = _TAGS.sub("", _BREAKS.sub("\n", value or ""))
    return html.unescape(text).strip()


def _decimal(text):
    try:
        return float(Decimal(str(text)))
    except (InvalidOperation, ValueError):
        return None


def _date_value(value, side):
    """``start``/``end`` of a date value from its UTC keys: a datetime when it has a time,
    a date when it has none, None when absent (no end)."""
    moment = value.get(f"{side}_utc")
    if moment and value.get(f"{side}_time_utc"):
        return parse_podio_time(moment)
    day = value.get(f"{side}_date_utc") or (moment or "")[:10]
    return date.fromisoformat(day) if day else None


def _typed_list(key, values, record):
    """Email and phone: the first value under ``key``, the first of each type under
    ``key:<type>``."""
    for value in values:
        text = (value.get("value") or "").strip()
        if not text:
            continue
        record.setdefault(key, text)
        record.setdefault(f"{key}:{value.get('type') or 'other'}", text)


def _phones(key, values, record):
    _typed_list(key, values, record)
    for value in values:
        kind, text = value.get("type"), (value.get("value") or "").strip()
        if text and kind != MOBILE_TYPE and kind not in FAX_TYPES:
            record.setdefault(f"{key}:landline", text)


def _location(key, values, record):
    value = values[0]
    record[key] = value.get("formatted") or value.get("value")
    for part, source in LOCATION_PARTS.items():
        if value.get(source):
            record[f"{key}:{part}"] = value[source]
    street = " ".join(str(value[source]) for source in ("street_name", "street_number") if value.get(source))
    if street and f"{key}:street" not in record:
        record[f"{key}:street"] = street


def _text(key, values, record):
    record[key] = plain_text(values[0].get("value"))


def _number(key, values, record):
    record[key] = _decimal(values[0].get("value"))


def _money(key, values, record):
    record[key] = _decimal(values[0].get("value"))
    record[f"{key}:currency"] = values[0].get("currency")


def _date(key, values, record):
    record[key] = _date_value(values[0], "start")
    end = _date_value(values[0], "end")
    if end is not None:
        record[f"{key}:end"] = end


def _category(key, values, record):
    texts = [unescape(value["value"]["text"]) for value in values if value.get("value")]
    record[key] = texts[0] if len(texts) == 1 else texts
    record[f"{key}:ids"] = [value["value"]["id"] for value in values if value.get("value")]


def _contact(key, values, record):
    profiles = [value["value"] for value in values if value.get("value")]
    _one_or_many(key, [profile.get("name") for profile in profiles], record)
    record[f"{key}:ids"] = [profile.get("profile_id") for profile in profiles]
    mails = [mail for profile in profiles for mail in profile.get("mail") or ()]
    if mails:
        record[f"{key}:email"] = mails[0]


def _app_reference(key, values, record):
    referenced = [value["value"] for value in values if value.get("value")]
    _one_or_many(key, [str(item["item_id"]) for item in referenced], record)
    if referenced:
        record[f"{key}:title"] = plain_text(referenced[0].get("title"))


def _embed(key, values, record):
    embed = values[0].get("embed") or {}
    record[key] = embed.get("url") or embed.get("original_url")
    if embed.get("title"):
        record[f"{key}:title"] = unescape(embed["title"])


def _files(key, values, record):
    _one_or_many(key, [value["value"].get("name") for value in values if value.get("value")], record)


def _calculation(key, values, record):
    """A calculation's value: a number, a date when its formula gives one, else its text."""
    value = values[0]
    if any(name in value for name in ("start", "start_utc", "start_date_utc")):
        # The UTC keys when the calculation has them; else only its local day can be trusted.
        day = value.get("start_date")
        record[key] = _date_value(value, "start") or (date.fromisoformat(day) if day else None)
        return
    raw = value.get("value")
    number = _decimal(raw) if raw not in (None, "") else None
    record[key] = number if number is not None else (plain_text(str(raw)) if raw not in (None, "") else None)


# Each field type's reader. Legacy and special types (question, state, video, title) are
# not mapped: the notes leave their shapes unconfirmed.
FIELD_READERS = {
    "text": _text,
    "number": _number,
    "progress": _number,
    "duration": _number,
    "money": _money,
    "date": _date,
    "category": _category,
    "email": _typed_list,
    "phone": _phones,
    "tel": _phones,
    "location": _location,
    "calculation": _calculation,
    "contact": _contact,
    "app": _app_reference,
    "embed": _embed,
    "image": _files,
    "file": _files,
}


def _field_values(field, record):
    reader = FIELD_READERS.get(field.get("type"))
    if reader is not None:
        reader(field.get("external_id") or str(field["field_id"]), field["values"], record)


def _one_or_many(key, found, record):
    found = [value for value in found if value not in (None, "")]
    if found:
        record[key] = found[0] if len(found) == 1 else found


def item_files(item):
    """The files of the item's image and file fields: (field external id, file) pairs, each
    file a dict with at least ``file_id`` and ``name`` (``link``, ``size``, ``mimetype`` when
    Podio gives them)."""
    found = []
    for field in item.get("fields") or ():
        if field.get("type") in FILE_TYPES:
            key = field.get("external_id") or str(field["field_id"])
            found += [(key, value["value"]) for value in field.get("values") or () if value.get("value")]
    return found


def item_record(item):
    """The flat record of one item: its own keys (``id``, ``title``, ``revision``...) and one
    key per field value."""
    record = {
        "id": str(item["item_id"]),
        "app_item_id": item.get("app_item_id"),
        "title": plain_text(item.get("title")),
        "external_id": item.get("external_id"),
        "revision": (item.get("current_revision") or {}).get("revision"),
        "last_event_on": parse_podio_time(item.get("last_event_on")),
    }
    for field in item.get("fields") or ():
        if field.get("values"):
            _field_values(field, record)
    return record


def last_edit(item):
    """When the item last changed (its current revision, else its last event), naive UTC."""
    moment = (item.get("current_revision") or {}).get("created_on") or item.get("last_event_on")
    return parse_podio_time(moment) if moment else None
