"""The Sprout emulator answers as the platform notes and the documented examples say."""

from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from odoo.addons.connector_sprout.tests.emulator import (
    AUTHORIZE_PATH,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_TOKEN,
    DEMO_USER_CLIENT_ID,
    DEMO_USER_CLIENT_SECRET,
    TOKEN_PATH,
    SproutEmulator,
    load_sample,
)

UTC = timezone.utc
AUTH = {"Authorization": f"Bearer {DEMO_TOKEN}"}


@pytest.fixture
def sprout():
    emulator = SproutEmulator()
    emulator.sample = load_sample(emulator, start=datetime(2025, 3, 1, 9, 0, tzinfo=UTC))
    with emulator:
        yield emulator


def messages(sprout, body, customer=687751):
    return requests.post(sprout.url(f"/v1/{customer}/messages"), json=body, headers=AUTH, timeout=5)


def shops_body(sprout, **extra):
    return {
        "filters": [
            f"group_id.eq({sprout.sample['groups']['ACME Shops']})",
            "created_time.in(2025-03-01...2025-03-02)",
        ],
        **extra,
    }


def test_client_metadata_names_the_customer_with_a_numeric_id_and_version_headers(sprout):
    answer = requests.get(sprout.url("/v1/metadata/client"), headers=AUTH, timeout=5)
    assert answer.json() == {"data": [{"customer_id": 687751, "name": "ACME Social"}]}
    assert answer.headers["X-Sprout-API-Version"] == "1.1"
    assert answer.headers["X-Sprout-Request-ID"]


def test_metadata_of_another_customer_is_forbidden(sprout):
    answer = requests.get(sprout.url("/v1/1/metadata/customer"), headers=AUTH, timeout=5)
    assert answer.status_code == 403
    assert "error" in answer.json()


def test_without_a_valid_token_the_answer_is_401_with_an_error_text(sprout):
    answer = requests.get(
        sprout.url("/v1/metadata/client"), headers={"Authorization": "Bearer nope"}, timeout=5
    )
    assert answer.status_code == 401
    assert isinstance(answer.json()["error"], str)


def test_client_credentials_grant_issues_an_expiring_bearer_token(sprout):
    granted = requests.post(
        sprout.url(TOKEN_PATH),
        data={
            "grant_type": "client_credentials",
            "client_id": DEMO_CLIENT_ID,
            "client_secret": DEMO_CLIENT_SECRET,
            "scope": "organization_id",
        },
        timeout=5,
    ).json()
    assert granted["token_type"] == "Bearer" and granted["expires_in"] > 0
    headers = {"Authorization": f"Bearer {granted['access_token']}"}
    assert requests.get(sprout.url("/v1/metadata/client"), headers=headers, timeout=5).status_code == 200
    wrong = requests.post(
        sprout.url(TOKEN_PATH),
        data={"grant_type": "client_credentials", "client_id": DEMO_CLIENT_ID, "client_secret": "x"},
        timeout=5,
    )
    assert wrong.status_code == 401


REDIRECT = "https://odoo.example/connector/sprout/oauth/callback"


def authorize(sprout, **params):
    query = {
        "response_type": "code",
        "client_id": DEMO_USER_CLIENT_ID,
        "redirect_uri": REDIRECT,
        "state": "s1",
    }
    return requests.get(
        sprout.url(AUTHORIZE_PATH), params={**query, **params}, allow_redirects=False, timeout=5
    )


def code_grant(sprout, code, redirect_uri=REDIRECT):
    return requests.post(
        sprout.url(TOKEN_PATH),
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": DEMO_USER_CLIENT_ID,
            "client_secret": DEMO_USER_CLIENT_SECRET,
        },
        timeout=5,
    )


def test_the_authorization_code_flow_sends_a_single_use_code_to_the_registered_redirect_uri(sprout):
    sprout.register_user_client(DEMO_USER_CLIENT_ID, DEMO_USER_CLIENT_SECRET, REDIRECT)

    consent = authorize(sprout)

    assert consent.status_code == 302
    location = urlsplit(consent.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = parse_qs(location.query)
    assert query["state"] == ["s1"]
    assert (
        code_grant(sprout, query["code"][0], redirect_uri="https://elsewhere.example/cb").status_code == 400
    )
    sprout.issue_refresh_tokens = True
    consent = authorize(sprout)
    code = parse_qs(urlsplit(consent.headers["Location"]).query)["code"][0]
    granted = code_grant(sprout, code).json()
    assert granted["token_type"] == "Bearer" and granted["refresh_token"]
    headers = {"Authorization": f"Bearer {granted['access_token']}"}
    assert requests.get(sprout.url("/v1/metadata/client"), headers=headers, timeout=5).status_code == 200
    assert code_grant(sprout, code).json()["error"] == "invalid_grant", "a code works once"


def test_the_authorize_endpoint_refuses_an_unregistered_redirect_and_reports_a_denial(sprout):
    sprout.register_user_client(DEMO_USER_CLIENT_ID, DEMO_USER_CLIENT_SECRET, REDIRECT)

    assert authorize(sprout, redirect_uri="https://evil.example/cb").status_code == 400
    sprout.consent = "deny"
    denied = parse_qs(urlsplit(authorize(sprout).headers["Location"]).query)

    assert denied["error"] == ["access_denied"] and "code" not in denied


def test_without_fields_only_guids_come_back_newest_first(sprout):
    data = messages(sprout, shops_body(sprout)).json()["data"]
    assert all(set(message) == {"guid"} for message in data)
    assert len(data) == 7
    assert data[0]["guid"] == max(message["guid"] for message in data)


def test_dotted_fields_select_inside_objects_and_lists(sprout):
    data = messages(
        sprout, shops_body(sprout, fields=["from.name", "internal.tags.id"], sort=["created_time:asc"])
    ).json()["data"]
    assert data[0] == {"guid": data[0]["guid"], "from": {"name": "Miguel Santos"}, "internal": {"tags": []}}


def test_two_dots_include_the_end_three_exclude_it(sprout):
    group = sprout.sample["groups"]["ACME Shops"]
    first = f"group_id.eq({group})"
    included = messages(
        sprout, {"filters": [first, "created_time.in(2025-03-01T00:00:00..2025-03-01T09:07:00)"]}
    )
    excluded = messages(
        sprout, {"filters": [first, "created_time.in(2025-03-01T00:00:00...2025-03-01T09:07:00)"]}
    )
    assert len(included.json()["data"]) == 1
    assert excluded.json()["data"] == []


def test_the_cursor_goes_forward_and_the_last_page_has_no_paging(sprout):
    first = messages(sprout, shops_body(sprout, limit=5)).json()
    second = messages(sprout, shops_body(sprout, limit=5, page_cursor=first["paging"]["next_cursor"])).json()
    assert len(first["data"]) == 5 and len(second["data"]) == 2
    assert "paging" not in second


def test_bad_requests_are_400_with_a_reason(sprout):
    group = sprout.sample["groups"]["ACME Shops"]
    brand_only = sprout.sample["profiles"]["ACME Portugal"]
    cases = [
        shops_body(sprout, page_cursor="not-a-cursor"),
        shops_body(sprout, limit=101),
        {
            "filters": [
                f"group_id.eq({group})",
                f"customer_profile_id.eq({brand_only})",
                "created_time.in(2025-03-01...2025-03-02)",
            ]
        },
        {
            "filters": [
                f"group_id.eq({group})",
                "created_time.in(2025-03-01...2025-03-02)",
                "action_last_update_time.in(2025-02-01...2025-03-02)",
            ]
        },
        {"filters": ["message_id.eq(igm:1)", f"group_id.eq({group})"]},
        {"filters": ["created_time.in(2025-03-01...2025-03-02)"]},
    ]
    for body in cases:
        answer = messages(sprout, body)
        assert answer.status_code == 400, body
        assert answer.json()["error"]


def test_ids_are_taken_as_numbers_or_strings_and_sent_as_strings_on_demand(sprout):
    sprout.string_ids = True
    group = sprout.sample["groups"]["ACME Shops"]
    body = {
        "filters": [
            f"group_id.eq({group})",
            "customer_profile_id.eq(4921)",
            "created_time.in(2025-03-01...2025-03-02)",
        ],
        "fields": ["customer_profile_id"],
    }
    data = messages(sprout, body).json()["data"]
    assert {message["customer_profile_id"] for message in data} == {"4921"}
    profiles = requests.get(sprout.url("/v1/687751/metadata/customer"), headers=AUTH, timeout=5).json()[
        "data"
    ]
    assert all(isinstance(profile["customer_profile_id"], str) for profile in profiles)


def test_faults_on_demand_answer_429_202_and_5xx(sprout):
    sprout.rate_limit_next()
    sprout.not_ready_next(wait_until="2030-01-01T00:00:00Z")
    sprout.fail_next(504)
    statuses = [messages(sprout, shops_body(sprout)) for _ in range(4)]
    assert [answer.status_code for answer in statuses] == [429, 202, 504, 200]
    assert "Retry-After" not in statuses[0].headers
    assert statuses[1].json()["wait_until"] == "2030-01-01T00:00:00Z"
