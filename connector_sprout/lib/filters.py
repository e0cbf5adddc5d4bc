"""Sprout's request filter grammar and its ids, as the platform notes describe them.

Filters are strings ``field.op(args)``: ``eq(a, b, ...)``, ``in(start..end)`` (the end
included) or ``in(start...end)`` (the end excluded), ``gt(x)``. Times are sent as
``YYYY-MM-DDTHH:MM:SS`` in the request's ``timezone`` (the connector sends UTC).
"""

from datetime import timedelta

from odoo.addons.connector_base.lib.dates import UTC

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"


def as_id(value):
    """One text for an id Sprout sends as a number in one answer and a string in another
    (``4921``, ``"4921"``, ``4921.0``); None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a Sprout id: {value!r}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.isdigit():
        return str(int(text))
    return text


def sprout_time(moment):
    """``moment`` (aware, or naive UTC) as a filter's time, in UTC, to the second."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime(TIME_FORMAT)


def eq(field, *values):
    """``field.eq(a, b)``: one of these values."""
    if not values:
        raise ValueError(f"{field}.eq() needs at least one value")
    return f"{field}.eq({', '.join(str(value) for value in values)})"


def in_range(field, start, end, *, include_end=False):
    """``field.in(start...end)``: from ``start`` (included) to ``end``, excluded unless
    ``include_end`` (then ``..``). Datetimes are written in UTC."""
    if hasattr(start, "strftime") and hasattr(end, "strftime"):
        if (start.tzinfo is None) != (end.tzinfo is None):
            raise ValueError("a range's ends are both aware or both naive")
        if end < start:
            raise ValueError(f"{field}: the range ends before it starts")
        start, end = sprout_time(start), sprout_time(end)
    return f"{field}.in({start}{'..' if include_end else '...'}{end})"


# A period is not halved below this: a query Sprout cannot answer for one profile and one
# minute is not too big, the error is another.
SHORTEST_PERIOD = timedelta(minutes=1)


def split_profiles_or_period(query):
    """The two smaller queries covering the ground of ``query`` (profile ids, start, end):
    half the profiles each, else each half the period ([start, middle) and [middle, end),
    to the second); nothing when it is one profile and a minute. What Sprout advises
    after a 504: fewer profiles, a shorter range."""
    profiles, start, end = query
    if len(profiles) > 1:
        middle = len(profiles) // 2
        return [(profiles[:middle], start, end), (profiles[middle:], start, end)]
    if end - start > SHORTEST_PERIOD:
        middle = (start + (end - start) / 2).replace(microsecond=0)
        return [(profiles, start, middle), (profiles, middle, end)]
    return []
