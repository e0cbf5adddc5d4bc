"""ISO 8601 dates as the platforms write them, read the same way on every Python we support.

Python 3.10's ``datetime.fromisoformat`` reads only what ``isoformat()`` writes: no ``Z``
suffix and only 3 or 6 fraction digits, while platforms send ``2025-03-04T10:14:59.120Z``
or ``...59.1234567+00:00``. ``datetime.UTC`` is 3.11 too: use :data:`UTC` from here.
"""

import re
from datetime import datetime, timezone

UTC = timezone.utc

_FRACTION = re.compile(r"(\.\d+)")
_ZULU = re.compile(r"[zZ]$")


def parse_iso_datetime(text):
    """The datetime of an ISO 8601 text (aware when it carries ``Z`` or an offset).

    Raises ValueError for a text that is not a date and time.
    """
    try:
        return datetime.fromisoformat(text)  # the fast path: 3.11 reads every form, 3.10 most
    except ValueError:
        return datetime.fromisoformat(isoformat_310(text))


def isoformat_310(text):
    """``text`` in the form Python 3.10's ``fromisoformat`` reads: ``Z`` as ``+00:00``, the
    fraction padded or cut to microseconds."""
    text = _ZULU.sub("+00:00", text.strip())
    return _FRACTION.sub(lambda match: "." + (match.group(1)[1:] + "000000")[:6], text, count=1)


def parse_timestamp(text):
    """A platform's ISO time as Odoo stores it (naive UTC, fraction kept), or None when empty."""
    if not text:
        return None
    return to_naive_utc(parse_iso_datetime(str(text)))


def to_naive_utc(moment):
    """A datetime in UTC without its time zone, as Odoo stores it; a naive one is kept as is."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)
