from datetime import datetime

from odoo.addons.connector_smartsheet.lib.timestamps import parse_timestamp


def test_a_smartsheet_time_becomes_naive_utc():
    assert parse_timestamp("2024-03-01T10:15:00+02:00") == datetime(2024, 3, 1, 8, 15)
    assert parse_timestamp("2024-03-01T10:15:00Z") == datetime(2024, 3, 1, 10, 15)


def test_no_time_is_none():
    assert parse_timestamp(None) is None
    assert parse_timestamp("") is None
