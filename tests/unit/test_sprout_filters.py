from datetime import datetime, timedelta, timezone

from odoo.addons.connector_sprout.lib.filters import split_profiles_or_period

UTC = timezone.utc
START = datetime(2025, 3, 1, tzinfo=UTC)


def test_a_query_too_big_splits_into_fewer_profiles_first():
    end = START + timedelta(days=7)
    assert split_profiles_or_period((["1", "2", "3"], START, end)) == [
        (["1"], START, end),
        (["2", "3"], START, end),
    ]


def test_one_profiles_query_splits_into_two_halves_of_its_period_that_meet():
    end = START + timedelta(days=7, seconds=1)
    first, second = split_profiles_or_period((["1"], START, end))
    assert first == (["1"], START, START + timedelta(days=3, hours=12))
    assert second == (["1"], first[2], end), "the halves meet: the ends are excluded, nothing is read twice"


def test_one_profile_and_one_minute_cannot_shrink():
    assert split_profiles_or_period((["1"], START, START + timedelta(minutes=1))) == []
