from datetime import datetime, timedelta, timezone

import pytest

from odoo.addons.connector_sprout.lib import filters, mapper

UTC = timezone.utc


@pytest.mark.parametrize("value", [4921, "4921", 4921.0, " 4921 "])
def test_an_id_as_number_or_string_is_one_id(value):
    assert filters.as_id(value) == "4921"


def test_ids_that_are_not_numbers_are_kept_and_empty_ones_are_none():
    assert filters.as_id("igm:17900000000000001") == "igm:17900000000000001"
    assert filters.as_id(None) is None
    assert filters.as_id("") is None


def test_a_range_excludes_its_end_unless_asked():
    start, end = datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 3, 5, 12, 30, tzinfo=UTC)
    assert (
        filters.in_range("created_time", start, end)
        == "created_time.in(2025-03-01T00:00:00...2025-03-05T12:30:00)"
    )
    assert (
        filters.in_range("created_time", start, end, include_end=True)
        == "created_time.in(2025-03-01T00:00:00..2025-03-05T12:30:00)"
    )


def test_range_times_are_written_in_utc():
    lisbon_summer = timezone(timedelta(hours=1))
    assert filters.sprout_time(datetime(2025, 7, 1, 11, 0, tzinfo=lisbon_summer)) == "2025-07-01T10:00:00"
    assert filters.sprout_time(datetime(2025, 7, 1, 10, 0)) == "2025-07-01T10:00:00"


def test_a_range_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError):
        filters.in_range("created_time", datetime(2025, 3, 2, tzinfo=UTC), datetime(2025, 3, 1, tzinfo=UTC))


def test_eq_lists_its_values():
    assert filters.eq("customer_profile_id", "4921", 6810812) == "customer_profile_id.eq(4921, 6810812)"
    with pytest.raises(ValueError):
        filters.eq("group_id")


def test_a_profile_becomes_its_values_with_one_spelling_of_its_ids():
    values = mapper.profile_values(
        {
            "customer_profile_id": "6810812",
            "network_type": "google_my_business",
            "name": "ACME Lisboa",
            "native_name": None,
            "native_id": "13955863841611236869",
            "groups": [23598, "23598", 23599],
        }
    )
    assert values == {
        "profile_id": "6810812",
        "network": "google_my_business",
        "name": "ACME Lisboa",
        "handle": False,
        "native_id": "13955863841611236869",
        "group_ids": ["23598", "23599"],
    }


MESSAGE = {
    "guid": "igm:17900000000000001",
    "created_time": "2025-03-02T14:05:11Z",
    "network": "INSTAGRAM",
    "post_type": "INSTAGRAM_GRAPH_COMMENT",
    "post_category": "COMMENT",
    "customer_profile_id": 4921,
    "profile_guid": "igpr:17841400000000001",
    "text": "Do you ship to Porto?",
    "perma_link": "https://www.instagram.com/p/XXXX/",
    "from": {"guid": "igpr:17841400000000777", "name": "Rita", "screen_name": "rita.p"},
    "internal": {"tags": [{"id": 321}, {"id": "322"}]},
    "language_code": "en",
}


def test_a_message_becomes_its_values():
    values = mapper.message_values(MESSAGE)
    assert values == {
        "guid": "igm:17900000000000001",
        "created_time": datetime(2025, 3, 2, 14, 5, 11),
        "network": "INSTAGRAM",
        "post_type": "INSTAGRAM_GRAPH_COMMENT",
        "post_category": "COMMENT",
        "profile_id": "4921",
        "text": "Do you ship to Porto?",
        "permalink": "https://www.instagram.com/p/XXXX/",
        "author_guid": "igpr:17841400000000777",
        "author_name": "Rita",
        "author_screen_name": "rita.p",
        "tag_ids": ["321", "322"],
        "language": "en",
        "case_id": False,
        "sent_by_us": False,
    }


def test_a_message_sent_from_the_inbox_is_ours():
    sent = {**MESSAGE, "internal": {"sent_by": {"id": 2066696, "email": "ana@acme.example"}}}
    assert mapper.message_values(sent)["sent_by_us"] is True
    assert mapper.message_values({**sent, "sent": False})["sent_by_us"] is False


def test_the_same_message_read_twice_is_one_event_and_a_changed_one_another():
    again = dict(MESSAGE)
    tagged = {**MESSAGE, "internal": {"tags": [{"id": 321}]}}
    assert mapper.message_event_id(MESSAGE) == mapper.message_event_id(again)
    assert mapper.message_event_id(MESSAGE) != mapper.message_event_id(tagged)
    assert mapper.message_event_id(MESSAGE).startswith("message:igm:17900000000000001:")


def test_a_message_case_id_is_one_id_whatever_its_spelling():
    assert mapper.message_values({**MESSAGE, "case_id": 981})["case_id"] == "981"
    assert mapper.message_values({**MESSAGE, "case_id": "981"})["case_id"] == "981"
