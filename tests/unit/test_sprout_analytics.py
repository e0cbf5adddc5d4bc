from datetime import date, datetime, timedelta, timezone

import pytest

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.oauth import StaticToken
from odoo.addons.connector_sprout.lib import analytics
from odoo.addons.connector_sprout.lib.client import SproutClient
from odoo.addons.connector_sprout.tests import emulator as emulator_module
from odoo.addons.connector_sprout.tests.emulator import DEMO_TOKEN, SproutEmulator, load_sample

UTC = timezone.utc
PROFILES = "/v1/{customer_id}/analytics/profiles"
POSTS = "/v1/{customer_id}/analytics/posts"


@pytest.fixture
def sprout():
    emulator = SproutEmulator()
    emulator.sample = load_sample(emulator)
    with emulator:
        yield emulator


@pytest.fixture
def client(sprout, tmp_path):
    return SproutClient(
        sprout.base_url,
        token_provider=StaticToken(DEMO_TOKEN),
        rate_limit_key="backend:1",
        rate_limit_dir=str(tmp_path),
        backoff_factor=0.01,
    )


# ---------------------------------------------------------------------- days and zones
@pytest.mark.parametrize(
    ("network", "zone"),
    [
        ("instagram", "America/Los_Angeles"),
        ("facebook", "America/Los_Angeles"),
        ("youtube", "America/Los_Angeles"),
        ("twitter", "UTC"),
        ("linkedin_company", "UTC"),
        ("tiktok", "UTC"),
        ("google_my_business", "UTC"),
    ],
)
def test_each_network_counts_its_days_in_its_own_zone(network, zone):
    assert analytics.network_zone(network) == zone


def test_the_last_days_end_on_today_in_the_networks_zone():
    # 03:00 UTC on 2 March is still 1 March in Pacific time.
    now = datetime(2025, 3, 2, 3, 0, tzinfo=UTC)
    assert analytics.metric_days("instagram", 3, now) == (date(2025, 2, 27), date(2025, 3, 1))
    assert analytics.metric_days("linkedin_company", 3, now) == (date(2025, 2, 28), date(2025, 3, 2))


def test_metric_names_are_read_in_order_once_each():
    assert analytics.parse_metric_names(" impressions, reactions\nimpressions,,") == (
        "impressions",
        "reactions",
    )


def test_profile_queries_stay_within_sprouts_limits():
    queries = analytics.profile_queries([str(n) for n in range(250)], date(2024, 1, 1), date(2024, 12, 31))
    assert all(len(profiles) <= 100 for profiles, _first, _last in queries)
    assert all(len(profiles) * ((last - first).days + 1) <= 10_000 for profiles, first, last in queries)
    covered = {
        (p, first + timedelta(days=d))
        for profiles, first, last in queries
        for p in profiles
        for d in range((last - first).days + 1)
    }
    assert len(covered) == 250 * 366


def test_a_profile_query_shrinks_to_fewer_profiles_then_fewer_days():
    query = (["1", "2", "3"], date(2025, 3, 1), date(2025, 3, 4))
    assert analytics.split_profile_query(query) == [
        (["1"], date(2025, 3, 1), date(2025, 3, 4)),
        (["2", "3"], date(2025, 3, 1), date(2025, 3, 4)),
    ]
    assert analytics.split_profile_query((["1"], date(2025, 3, 1), date(2025, 3, 4))) == [
        (["1"], date(2025, 3, 1), date(2025, 3, 2)),
        (["1"], date(2025, 3, 3), date(2025, 3, 4)),
    ]
    assert analytics.split_profile_query((["1"], date(2025, 3, 1), date(2025, 3, 1))) == []


def test_post_rows_are_read_in_utc_and_ids_of_both_spellings_are_one():
    row = {
        "guid": "inp:1",
        "created_time": "2025-03-01T10:00:00+01:00",
        "customer_profile_id": 4921.0,
        "metrics": {"lifetime.impressions": 12, "lifetime.likes": None},
    }
    values = analytics.post_values(row)
    assert values["created_time"] == datetime(2025, 3, 1, 9, 0)
    assert values["profile_id"] == "4921"
    assert (values["impressions"], values["likes"], values["shares"]) == (12, 0, 0)


# ---------------------------------------------------------------------- against the emulator
def test_profile_analytics_rows_per_profile_and_day(sprout, client):
    today = datetime.now(UTC).date()
    rows = list(
        client.profile_analytics([6921], today - timedelta(days=2), today, ["impressions", "reactions"])
    )
    parsed = [cell for row in rows for cell in analytics.profile_metric_rows(row)]
    assert {(profile, day) for profile, day, _name, _value in parsed} == {
        ("6921", today - timedelta(days=offset)) for offset in range(3)
    }
    assert {name for _profile, _day, name, _value in parsed} == {"impressions", "reactions"}
    body = sprout.requests[-1].json
    first, after_last = today - timedelta(days=2), today + timedelta(days=1)
    assert body["filters"][1] == f"reporting_period.in({first.isoformat()}...{after_last.isoformat()})"


def test_profile_analytics_follow_page_numbers_without_asking_past_the_last(sprout, client):
    # Yesterday in UTC has begun in every network's zone; today may not have yet (a network
    # behind UTC has no row for a day not begun there).
    last = datetime.now(UTC).date() - timedelta(days=1)
    first = last - timedelta(days=364)
    rows = list(client.profile_analytics([4921, 5921, 6921], first, last, ["impressions"]))
    assert len(rows) == 3 * 365
    pages = [request.json["page"] for request in sprout.requests if request.route == PROFILES]
    assert pages == [1, 2]


def test_an_analytics_page_past_the_last_is_refused(sprout, client):
    client.identify()
    with pytest.raises(errors.ValidationError):
        client.post(
            f"/v1/{sprout.customer_id}/analytics/profiles",
            json={
                "filters": ["customer_profile_id.eq(4921)", "reporting_period.in(2025-03-01...2025-03-02)"],
                "metrics": ["impressions"],
                "page": 3,
            },
        )


def test_ids_as_strings_are_the_same_profiles(sprout, client):
    sprout.string_ids = True
    today = datetime.now(UTC).date()
    rows = list(client.profile_analytics(["6921"], today, today, ["impressions"]))
    assert rows[0]["dimensions"]["customer_profile_id"] == "6921"
    assert analytics.profile_metric_rows(rows[0])[0][0] == "6921"


def test_post_analytics_go_past_the_results_cap_by_guid(sprout, monkeypatch):
    # The 10,000 cap brought down to 100 on both sides, or the test reads 200 pages.
    monkeypatch.setattr(analytics, "RESULT_CAP", 100)
    monkeypatch.setattr(emulator_module, "RESULT_CAP", 100)
    client = SproutClient(sprout.base_url, token_provider=StaticToken(DEMO_TOKEN))
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=5)
    for number in range(130):
        sprout.add_post(4921, f"Post {number}", created_time=start + timedelta(seconds=number))
    now = datetime.now(UTC).replace(microsecond=0)
    rows = list(client.post_analytics([4921], start, now))
    assert len(rows) == 130 + 2, "and the sample's two posts of this profile"
    assert len({row["guid"] for row in rows}) == 132
    bodies = [request.json for request in sprout.requests if request.route == POSTS]
    assert not any(f.startswith("guid.gt") for f in bodies[0]["filters"])
    assert bodies[-1]["filters"][-1] == f"guid.gt({rows[99]['guid']})"
    assert bodies[-1]["page"] == 1


def test_post_analytics_times_come_in_utc_whatever_the_zone(sprout, client):
    now = datetime.now(UTC).replace(microsecond=0)
    rows = list(client.post_analytics([4921], now - timedelta(days=7), now))
    assert len(rows) == 2
    assert all(row["created_time"].endswith("Z") for row in rows)


def test_a_504_on_analytics_is_not_resent_as_it_was(sprout, client):
    client.identify()
    sprout.fail_analytics_next(504)
    today = datetime.now(UTC).date()
    with pytest.raises(errors.ServerError) as raised:
        list(client.profile_analytics([4921], today, today, ["impressions"]))
    assert raised.value.status == 504
    assert sprout.count(PROFILES) == 1
