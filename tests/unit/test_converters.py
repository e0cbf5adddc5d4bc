"""Every converter of the mapping engine, both directions, through a one-rule mapper."""

from datetime import date, datetime, timedelta, timezone

import pytest

from odoo.addons.connector_base.lib import converters
from odoo.addons.connector_base.lib.errors import ConfigurationError
from odoo.addons.connector_base.lib.mapping import FieldRule, Mapper, MappingError

STATES = (("draft", "Draft"), ("done", "Done"), ("cancel", "Cancelled"))


class KeyResolver:
    """Resolves keys from a fixed table; can create what is missing, like the ORM side."""

    def __init__(self, table=None, names=None):
        self.table = dict(table or {})
        self.names = dict(names or {})
        self.asked = []

    def resolve_keys(self, rule, keys):
        self.asked.append((rule.odoo_field, set(keys)))
        found = {key: self.table[key] for key in keys if key in self.table}
        if rule.create_missing:
            for key in sorted(set(keys) - set(found)):
                self.table[key] = found[key] = 100 + len(self.table)
        return found

    def resolve_ids(self, rule, ids):
        self.asked.append((rule.odoo_field, set(ids)))
        return {record_id: self.names[record_id] for record_id in ids if record_id in self.names}


def make_rule(converter, **options):
    options.setdefault("odoo_type", converters.FIELD_TYPES[converter][0])
    return FieldRule("field", converter, "value", label="Value (field)", **options)


def to_odoo(raw, converter, resolver=None, **options):
    values, _warnings = Mapper([make_rule(converter, **options)]).to_odoo(
        {"id": "r1", "value": raw}, resolver
    )
    return values["field"]


def mapped_with_warnings(raw, converter, **options):
    values, warnings = Mapper([make_rule(converter, **options)]).to_odoo({"id": "r1", "value": raw})
    return values["field"], [warning.message for warning in warnings]


def failure(raw, converter, resolver=None, **options):
    with pytest.raises(MappingError) as caught:
        to_odoo(raw, converter, resolver, **options)
    return caught.value


def to_external(value, converter, resolver=None, **options):
    mapper = Mapper([make_rule(converter, **options)], odoo_model="test.model")
    return mapper.to_external({"id": 7, "field": value}, resolver)["value"]


def export_failure(value, converter, resolver=None, **options):
    with pytest.raises(MappingError) as caught:
        to_external(value, converter, resolver, **options)
    return caught.value


# ---------------------------------------------------------------------- empty values
@pytest.mark.parametrize("converter", sorted(set(converters.FIELD_TYPES) - {"many2many", "boolean"}))
@pytest.mark.parametrize("raw", [None, "", "   "])
def test_an_empty_value_empties_the_odoo_field(converter, raw):
    options = {"selection": STATES} if converter == "selection" else {}
    assert to_odoo(raw, converter, **options) is False


@pytest.mark.parametrize("converter", sorted(converters.FIELD_TYPES))
def test_a_missing_key_is_an_empty_value(converter):
    values, _warnings = Mapper([make_rule(converter)]).to_odoo({"id": "r1"})
    assert values["field"] == ([(6, 0, [])] if converter == "many2many" else False)


@pytest.mark.parametrize(
    "converter", sorted(set(converters.FIELD_TYPES) - {"boolean", "many2one", "many2many"})
)
def test_an_empty_odoo_value_exports_as_null(converter):
    options = {"selection": STATES} if converter == "selection" else {}
    assert to_external(False, converter, **options) is None


# ---------------------------------------------------------------------- text
@pytest.mark.parametrize(
    "raw",
    [
        "Plain",
        "Zürich ✓ 東京 🎉",
        "He said \"hi\" & 'bye'",
        "<b>bold</b> &amp; <script>alert(1)</script>",
        "  padded  ",
        "line one\nline two",
    ],
)
def test_text_keeps_the_platform_text_as_is(raw):
    assert to_odoo(raw, "text") == raw
    assert to_external(raw, "text") == raw


@pytest.mark.parametrize(("raw", "expected"), [(42, "42"), (1.5, "1.5"), (0, "0")])
def test_text_writes_numbers_as_text(raw, expected):
    assert to_odoo(raw, "text") == expected


@pytest.mark.parametrize("raw", [True, ["a"], {"a": 1}])
def test_text_refuses_values_that_are_not_text(raw):
    assert failure(raw, "text").reason == "not a text"


def test_text_at_the_maximum_length_is_kept_whole():
    assert mapped_with_warnings("é" * 10, "text", size=10) == ("é" * 10, [])


def test_text_over_the_maximum_length_is_cut_with_a_warning():
    value, warnings = mapped_with_warnings("é" * 9 + "xyz", "text", size=10)
    assert value == "é" * 9 + "x"
    assert warnings == ["text cut from 12 to 10 characters"]


def test_text_loses_nul_characters_with_a_warning():
    assert mapped_with_warnings("a\x00b", "text") == ("ab", ["NUL characters removed"])


# ---------------------------------------------------------------------- html
def test_plain_text_is_escaped_into_an_html_field():
    raw = 'a < b & "c"\n\nsecond\nline'
    assert to_odoo(raw, "html") == '<p>a &lt; b &amp; "c"</p><p>second<br>line</p>'


def test_markup_sent_as_plain_text_stays_text_in_an_html_field():
    assert to_odoo("<script>alert('x')</script>", "html") == "<p>&lt;script&gt;alert('x')&lt;/script&gt;</p>"


def test_an_html_field_exports_readable_plain_text():
    markup = (
        "<h1>Title</h1><p>Hello&nbsp;<b>World</b> &amp; &quot;friends&quot; 😀</p>"
        "<ul><li>one</li><li>two</li></ul><p>line<br>break</p>"
        "<style>p {color: red}</style><script>alert(1)</script>"
    )
    assert to_external(markup, "html") == 'Title\n\nHello World & "friends" 😀\n\n- one\n- two\n\nline\nbreak'


def test_links_keep_their_target_in_plain_text():
    markup = '<p><a href="https://example.com/x">the site</a> or <a href="mailto:a@b.c">a@b.c</a></p>'
    assert converters.html_to_text(markup) == "the site (https://example.com/x) or a@b.c"


def test_plain_text_survives_a_round_trip_through_html():
    text = 'Dear <customer> & "friends",\nline two\n\nÜnïcode paragraph'
    assert converters.html_to_text(converters.text_to_html(text)) == text


def test_html_from_the_platform_becomes_plain_text_in_a_text_field():
    assert to_odoo("<p>Hi <b>there</b></p><p>a &lt; b</p>", "html", odoo_type="text") == "Hi there\n\na < b"
    assert to_external("a < b\nnext", "html", odoo_type="text") == "<p>a &lt; b<br>next</p>"


def test_html_into_a_char_field_is_cut_to_its_size():
    assert mapped_with_warnings("<p>abcdef</p>", "html", odoo_type="char", size=4) == (
        "abcd",
        ["text cut from 6 to 4 characters"],
    )


def test_html_without_text_is_an_empty_value():
    assert to_odoo("<p> </p>", "html", odoo_type="text") is False
    assert to_odoo("\n\n", "html") is False


def test_html_refuses_values_that_are_not_text():
    assert failure({"html": "<p/>"}, "html").reason == "not a text"


# ---------------------------------------------------------------------- integer
@pytest.mark.parametrize(
    ("raw", "expected"), [(42, 42), ("42", 42), (" -7 ", -7), (42.0, 42), ("42.0", 42), (0, 0)]
)
def test_integer_reads_numbers_and_numeric_text(raw, expected):
    assert to_odoo(raw, "integer") == expected


def test_integer_zero_is_a_value_not_an_empty_one():
    assert to_odoo(0, "integer", default="5") == 0
    assert to_odoo("", "integer", default="5") == 5


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("4.5", "not a whole number"),
        (4.5, "not a whole number"),
        ("four", "not an integer"),
        (True, "not an integer"),
        ([1], "not an integer"),
        (2**31, "outside the integer range of the database"),
        ("-2147483649", "outside the integer range of the database"),
    ],
)
def test_integer_refuses_what_is_not_an_integer(raw, reason):
    assert failure(raw, "integer").reason == reason


def test_integer_bounds_of_the_database_are_accepted():
    assert to_odoo(-(2**31), "integer") == -(2**31)
    assert to_odoo(str(2**31 - 1), "integer") == 2**31 - 1


def test_integer_exports_as_int():
    assert to_external(7, "integer") == 7
    assert to_external(0, "integer") == 0


# ---------------------------------------------------------------------- float
@pytest.mark.parametrize(
    ("raw", "digits", "expected"),
    [
        ("3.14159", 2, 3.14),
        (2.675, 2, 2.68),
        (1.005, 2, 1.01),
        (-0.125, 2, -0.13),
        (3, None, 3.0),
        ("1e3", None, 1000.0),
        ("0.1", None, 0.1),
        (0.0, 2, 0.0),
    ],
)
def test_float_rounds_halves_away_from_zero_to_its_precision(raw, digits, expected):
    assert to_odoo(raw, "float", digits=digits) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("nan", "not a finite number"),
        (float("inf"), "not a finite number"),
        ("1,5", "not a number"),
        (True, "not a number"),
    ],
)
def test_float_refuses_what_is_not_a_finite_number(raw, reason):
    assert failure(raw, "float").reason == reason


def test_float_exports_rounded_to_its_precision():
    assert to_external(2.675, "float", digits=2) == 2.68
    assert to_external(0.0, "float", digits=2) == 0.0


# ---------------------------------------------------------------------- monetary
@pytest.mark.parametrize(
    ("raw", "options", "expected"),
    [
        ("$1,234.50", {}, 1234.5),
        ("1,234.567 EUR", {}, 1234.57),
        ("-12.5", {}, -12.5),
        ("€ 12", {}, 12.0),
        ("USD -3.1", {}, -3.1),
        (10.005, {}, 10.01),
        ("12.5", {"digits": 0}, 13.0),
        ("7.1234", {"digits": 3}, 7.123),
    ],
)
def test_monetary_reads_amounts_with_symbols_and_thousands(raw, options, expected):
    assert to_odoo(raw, "monetary", **options) == expected


@pytest.mark.parametrize("raw", ["12,5", "1,23", "$", "twelve", "1.2.3"])
def test_monetary_refuses_ambiguous_or_broken_amounts(raw):
    assert failure(raw, "monetary").reason == "not an amount"


def test_monetary_exports_rounded_to_the_currency():
    assert to_external(12.345, "monetary") == 12.35


# ---------------------------------------------------------------------- boolean
@pytest.mark.parametrize("raw", [True, "yes", "Y", "true", " TRUE ", "1", "on", "checked", 1])
def test_boolean_reads_yes_values(raw):
    assert to_odoo(raw, "boolean") is True


@pytest.mark.parametrize("raw", [False, "no", "false", "0", "off", "unchecked", 0])
def test_boolean_reads_no_values(raw):
    assert to_odoo(raw, "boolean") is False


@pytest.mark.parametrize("raw", ["maybe", 2, 1.0, []])
def test_boolean_refuses_other_values(raw):
    assert failure(raw, "boolean").reason == "not a yes/no value"


def test_boolean_false_is_a_value_and_only_emptiness_takes_the_default():
    assert to_odoo(False, "boolean", default="yes") is False
    assert to_odoo(None, "boolean", default="yes") is True
    assert to_odoo("  ", "boolean", default="yes") is True


def test_boolean_exports_both_values():
    assert to_external(True, "boolean") is True
    assert to_external(False, "boolean") is False


# ---------------------------------------------------------------------- date
@pytest.mark.parametrize(
    ("raw", "timezone", "expected"),
    [
        ("2024-03-01", "UTC", date(2024, 3, 1)),
        ("20240301", "UTC", date(2024, 3, 1)),
        (" 2024-03-01 ", "UTC", date(2024, 3, 1)),
        (date(2024, 3, 1), "UTC", date(2024, 3, 1)),
        (datetime(2024, 3, 1, 23, 30), "UTC", date(2024, 3, 1)),
        ("2024-03-01T23:30:00Z", "UTC", date(2024, 3, 1)),
        ("2024-03-01T23:30:00Z", "Europe/Paris", date(2024, 3, 2)),
        ("2024-03-01T02:00:00+05:00", "UTC", date(2024, 2, 29)),
        ("2024-03-01T10:00:00", "Pacific/Auckland", date(2024, 3, 1)),
    ],
)
def test_date_reads_dates_and_the_day_of_a_moment_in_the_time_zone(raw, timezone, expected):
    assert to_odoo(raw, "date", timezone=timezone) == expected


@pytest.mark.parametrize("raw", ["01/03/2024", "2024-02-30", "tomorrow"])
def test_date_refuses_text_that_is_no_iso_date(raw):
    assert failure(raw, "date").reason == "not an ISO 8601 date and time"


@pytest.mark.parametrize("raw", [20240301, True, ["2024-03-01"]])
def test_date_refuses_values_that_are_not_dates(raw):
    assert failure(raw, "date").reason == "not a date"


def test_date_exports_iso_dates():
    assert to_external(date(2024, 3, 1), "date") == "2024-03-01"
    assert to_external(datetime(2024, 3, 1, 12, 0), "date") == "2024-03-01"
    assert to_external("2024-03-01", "date") == "2024-03-01"
    assert export_failure("1 March", "date").reason == "not an ISO 8601 date"


# ---------------------------------------------------------------------- datetime
@pytest.mark.parametrize(
    ("raw", "timezone", "expected"),
    [
        ("2024-03-01T10:00:00Z", "UTC", datetime(2024, 3, 1, 10, 0)),
        ("2024-03-01T10:00:00Z", "Europe/Paris", datetime(2024, 3, 1, 10, 0)),
        ("2024-03-01T10:00:00.123456Z", "UTC", datetime(2024, 3, 1, 10, 0)),
        ("2024-03-01T10:00:00+02:00", "UTC", datetime(2024, 3, 1, 8, 0)),
        ("2024-03-01T10:00:00-05:30", "Europe/Paris", datetime(2024, 3, 1, 15, 30)),
        ("2024-03-01 10:00:00", "UTC", datetime(2024, 3, 1, 10, 0)),
        ("2024-01-15T10:00:00", "Europe/Paris", datetime(2024, 1, 15, 9, 0)),
        ("2024-07-15T10:00:00", "Europe/Paris", datetime(2024, 7, 15, 8, 0)),
        ("2024-03-01", "Europe/Paris", datetime(2024, 2, 29, 23, 0)),
        (datetime(2024, 7, 15, 10, 0), "America/New_York", datetime(2024, 7, 15, 14, 0)),
        (
            datetime(2024, 7, 15, 10, 0, tzinfo=timezone(timedelta(hours=9))),
            "UTC",
            datetime(2024, 7, 15, 1, 0),
        ),
        (date(2024, 7, 15), "Asia/Tokyo", datetime(2024, 7, 14, 15, 0)),
    ],
)
def test_datetime_is_stored_as_naive_utc(raw, timezone, expected):
    assert to_odoo(raw, "datetime", timezone=timezone) == expected


@pytest.mark.parametrize(
    ("raw", "timezone", "expected"),
    [
        # 02:30 does not exist on the spring-forward night: read with the offset before it.
        ("2024-03-31T02:30:00", "Europe/Paris", datetime(2024, 3, 31, 1, 30)),
        # 02:30 happens twice on the fall-back night: the first one (summer time) is meant.
        ("2024-10-27T02:30:00", "Europe/Paris", datetime(2024, 10, 27, 0, 30)),
        ("2024-11-03T01:30:00", "America/New_York", datetime(2024, 11, 3, 5, 30)),
        ("2024-10-27T03:30:00", "Europe/Paris", datetime(2024, 10, 27, 2, 30)),
    ],
)
def test_datetime_on_daylight_saving_changes_is_read_deterministically(raw, timezone, expected):
    assert to_odoo(raw, "datetime", timezone=timezone) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("yesterday", "not an ISO 8601 date and time"),
        ("2024-13-01T00:00:00", "not an ISO 8601 date and time"),
        ("2024-03-01T25:00:00Z", "not an ISO 8601 date and time"),
        (1709287200, "not a date and time"),
        (True, "not a date and time"),
    ],
)
def test_datetime_refuses_what_is_no_date_and_time(raw, reason):
    assert failure(raw, "datetime").reason == reason


@pytest.mark.parametrize(
    ("value", "timezone", "expected"),
    [
        (datetime(2024, 3, 1, 10, 0), "UTC", "2024-03-01T10:00:00Z"),
        (datetime(2024, 3, 1, 10, 0), "Europe/Paris", "2024-03-01T11:00:00+01:00"),
        (datetime(2024, 7, 1, 10, 0), "Europe/Paris", "2024-07-01T12:00:00+02:00"),
        (datetime(2024, 1, 1, 10, 0), "Europe/London", "2024-01-01T10:00:00Z"),
        (datetime(2024, 7, 1, 10, 0, tzinfo=timezone.utc), "America/New_York", "2024-07-01T06:00:00-04:00"),
        ("2024-03-01 10:00:00", "UTC", "2024-03-01T10:00:00Z"),
    ],
)
def test_datetime_exports_iso_8601_with_the_offset_of_its_time_zone(value, timezone, expected):
    assert to_external(value, "datetime", timezone=timezone) == expected


def test_datetime_survives_a_round_trip_in_its_time_zone():
    stored = to_odoo("2024-07-15T10:00:00", "datetime", timezone="Europe/Paris")
    assert to_external(stored, "datetime", timezone="Europe/Paris") == "2024-07-15T10:00:00+02:00"


def test_datetime_with_an_unknown_time_zone_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="Value \\(field\\): unknown time zone 'Mars/Olympus'"):
        Mapper([make_rule("datetime", timezone="Mars/Olympus")])


# ---------------------------------------------------------------------- selection
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Open", "draft"),
        (" open ", "draft"),
        ("done", "done"),
        ("Done", "done"),
        ("CANCELLED", "cancel"),
        (1, "done"),
    ],
)
def test_selection_reads_value_maps_then_keys_then_labels(raw, expected):
    value_map = (("Open", "draft"), ("1", "done"))
    assert to_odoo(raw, "selection", selection=STATES, value_map=value_map) == expected


def test_selection_value_maps_win_over_keys_and_the_first_line_wins():
    value_map = (("done", "cancel"), ("done", "draft"))
    assert to_odoo("done", "selection", selection=STATES, value_map=value_map) == "cancel"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("Unknown", "in no value mapping and not an option of the field"),
        (["done"], "not an option"),
        (True, "not an option"),
    ],
)
def test_selection_refuses_values_it_cannot_map(raw, reason):
    assert failure(raw, "selection", selection=STATES).reason == reason


def test_selection_exports_the_mapped_value_else_the_label():
    value_map = (("Open", "draft"), ("New", "draft"))
    assert to_external("draft", "selection", selection=STATES, value_map=value_map) == "Open"
    assert to_external("done", "selection", selection=STATES, value_map=value_map) == "Done"
    assert export_failure("gone", "selection", selection=STATES).reason == "not an option of the field"


# ---------------------------------------------------------------------- many2one
def test_many2one_looks_up_each_distinct_key_once_per_batch():
    resolver = KeyResolver({"a@example.com": 4})
    rule = make_rule("many2one", relation="res.partner", lookup_by="email")
    batch = Mapper([rule]).to_odoo_batch(
        [{"id": index, "value": " a@example.com "} for index in range(3)] + [{"id": 9}], resolver
    )
    assert [values["field"] for _record, values in batch.good] == [4, 4, 4, False]
    assert resolver.asked == [("field", {"a@example.com"})]


def test_many2one_value_maps_win_and_are_not_looked_up():
    resolver = KeyResolver({"Me": 4})
    assert to_odoo("me", "many2one", resolver, relation="res.users", value_map=(("Me", 9),)) == 9
    assert resolver.asked == []


def test_many2one_by_binding_looks_up_numeric_external_ids_as_text():
    resolver = KeyResolver({"123": 5})
    assert to_odoo(123, "many2one", resolver, relation="res.partner", lookup_by="binding") == 5


def test_many2one_without_a_match_names_the_key():
    error = failure("x@example.com", "many2one", KeyResolver(), relation="res.partner", lookup_by="email")
    assert error.reason == "no res.partner with email 'x@example.com'"
    error = failure("Nobody", "many2one", KeyResolver(), relation="res.partner")
    assert error.reason == "no res.partner with name 'Nobody' (creating missing ones is off)"


def test_a_missing_binding_says_which_object_the_record_waits_for():
    error = failure("2781234001", "many2one", KeyResolver(), relation="res.partner", lookup_by="binding")
    assert error.waits_for == "2781234001"
    assert error.reason == "no res.partner with external id '2781234001'"


def test_other_lookup_failures_wait_for_nothing():
    assert failure("Nobody", "many2one", KeyResolver(), relation="res.partner").waits_for is None
    assert (
        failure(1.5, "many2one", KeyResolver(), relation="res.partner", lookup_by="binding").waits_for is None
    )


def test_many2one_creates_missing_records_by_name_when_allowed():
    resolver = KeyResolver()
    assert to_odoo("New stage", "many2one", resolver, relation="stage", create_missing=True) == 100


@pytest.mark.parametrize("raw", [{"id": 1}, 1.5, True])
def test_many2one_refuses_values_that_are_no_key(raw):
    assert failure(raw, "many2one", KeyResolver(), relation="res.partner").reason == (
        "not a text or number to look up"
    )


def test_many2one_default_is_looked_up_with_the_batch():
    resolver = KeyResolver({"Acme": 3})
    assert to_odoo(None, "many2one", resolver, relation="res.partner", default="Acme") == 3


def test_many2one_exports_the_lookup_key_of_the_record():
    resolver = KeyResolver(names={4: "a@example.com"})
    options = {"relation": "res.partner", "lookup_by": "email", "value_map": (("Me", 9),)}
    assert to_external(4, "many2one", resolver, **options) == "a@example.com"
    assert to_external((4, "Partner A"), "many2one", resolver, **options) == "a@example.com"
    assert to_external(9, "many2one", resolver, **options) == "Me"
    assert to_external(False, "many2one", resolver, **options) is None
    error = export_failure(5, "many2one", resolver, **options)
    assert (error.record_ref, error.reason) == ("test.model,7", "res.partner 5 has no email to send")


# ---------------------------------------------------------------------- many2many
@pytest.mark.parametrize("raw", [["urgent", "vip", "urgent"], "urgent, vip", ("urgent", " vip ", "")])
def test_many2many_reads_lists_and_comma_separated_text(raw):
    resolver = KeyResolver({"urgent": 1, "vip": 2})
    assert to_odoo(raw, "many2many", resolver, relation="res.partner.category") == [(6, 0, [1, 2])]


@pytest.mark.parametrize("raw", [[], "", " , ", None])
def test_many2many_without_values_clears_the_tags(raw):
    assert to_odoo(raw, "many2many", KeyResolver(), relation="res.partner.category") == [(6, 0, [])]


def test_many2many_creates_missing_tags_only_when_allowed():
    resolver = KeyResolver({"urgent": 1})
    error = failure(["urgent", "new"], "many2many", resolver, relation="res.partner.category")
    assert (error.value, error.reason) == (
        ["urgent", "new"],
        "no res.partner.category with name 'new' (creating missing ones is off)",
    )
    created = to_odoo(
        ["urgent", "new"], "many2many", resolver, relation="res.partner.category", create_missing=True
    )
    assert created == [(6, 0, [1, 101])]


def test_many2many_refuses_values_that_are_no_list():
    assert (
        failure({"a": 1}, "many2many", KeyResolver(), relation="res.partner.category").reason == "not a list"
    )


def test_many2many_exports_the_keys_of_its_records():
    resolver = KeyResolver(names={1: "urgent", 2: "vip"})
    options = {"relation": "res.partner.category", "value_map": (("VIP!", 2),)}
    assert to_external([1, 2], "many2many", resolver, **options) == ["urgent", "VIP!"]
    assert to_external([], "many2many", resolver, **options) == []
    assert export_failure([1, 3], "many2many", resolver, **options).reason == (
        "res.partner.category 3 has no name to send"
    )


# ---------------------------------------------------------------------- helpers
@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [(2.675, 2, 2.68), (-2.5, 0, -3.0), (0.0, 3, 0.0), (1234.5678, 1, 1234.6)],
)
def test_round_half_up_matches_odoo_rounding(value, digits, expected):
    assert converters.round_half_up(value, digits) == expected


def test_every_converter_has_both_directions_and_fills_the_type_it_defaults_for():
    for converter in converters.FIELD_TYPES:
        registries = (
            (converters.LOOKUP_IMPORTERS, converters.LOOKUP_EXPORTERS)
            if converter in converters.LOOKUP_CONVERTERS
            else (converters.IMPORTERS, converters.EXPORTERS)
        )
        assert all(converter in registry for registry in registries), converter
    for field_type, converter in converters.DEFAULT_CONVERTER.items():
        assert field_type in converters.field_types(converter)
