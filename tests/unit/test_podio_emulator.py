import pytest
import requests

from odoo.addons.connector_base.tests.emulator import Emulator, Response
from odoo.addons.connector_podio.tests.emulator import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    PodioEmulator,
    load_sample,
    text_value,
)


@pytest.fixture
def podio():
    emulator = PodioEmulator()
    emulator.app_id = load_sample(emulator)
    with emulator:
        yield emulator


def token(podio, **grant):
    answer = requests.post(
        podio.url("/oauth/token"),
        data={"client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET, **grant},
        timeout=5,
    )
    return answer.status_code, answer.json()


def call(podio, method, path, access_token, **kwargs):
    return requests.request(
        method, podio.url(path), headers={"Authorization": f"OAuth2 {access_token}"}, timeout=5, **kwargs
    )


def test_each_grant_answers_the_notes_token_shape(podio):
    status, user = token(podio, grant_type="password", username=DEMO_USERNAME, password=DEMO_PASSWORD)
    assert status == 200 and user["ref"]["type"] == "user" and user["expires_in"] == 28800
    assert len(user["access_token"]) == 128
    status, app = token(
        podio, grant_type="app", app_id=str(podio.app_id), app_token=podio.app_token(podio.app_id)
    )
    assert status == 200 and app["ref"] == {"type": "app", "id": podio.app_id}
    status, refreshed = token(podio, grant_type="refresh_token", refresh_token=user["refresh_token"])
    assert status == 200 and refreshed["refresh_token"] == user["refresh_token"]
    status, code = token(
        podio, grant_type="authorization_code", code=podio.authorization_code(), redirect_uri="x"
    )
    assert status == 200 and code["ref"]["type"] == "user"


def test_a_dead_refresh_token_answers_400_invalid_grant(podio):
    status, body = token(podio, grant_type="refresh_token", refresh_token="gone")

    assert (status, body["error"]) == (400, "invalid_grant")


def test_an_expired_token_answers_401_invalid_token_expired_token(podio):
    _status, user = token(podio, grant_type="password", username=DEMO_USERNAME, password=DEMO_PASSWORD)
    podio.expire_access_tokens()

    answer = call(podio, "GET", "/org/", user["access_token"])

    assert answer.status_code == 401
    assert (answer.json()["error"], answer.json()["error_description"]) == ("invalid_token", "expired_token")


def test_answers_carry_the_rate_limit_headers_and_420_when_armed(podio):
    _status, user = token(podio, grant_type="password", username=DEMO_USERNAME, password=DEMO_PASSWORD)
    answer = call(podio, "GET", "/org/", user["access_token"])
    assert (answer.headers["X-Rate-Limit-Limit"], answer.headers["X-Rate-Limit-Remaining"]) == ("1000", "999")

    podio.fail_next(420)
    limited = call(podio, "GET", "/org/", user["access_token"])
    assert limited.status_code == 420 and limited.headers["X-Rate-Limit-Remaining"] == "0"


def test_app_names_and_labels_come_back_escaped(podio):
    _status, user = token(podio, grant_type="password", username=DEMO_USERNAME, password=DEMO_PASSWORD)
    space_id = next(iter(podio.spaces))

    apps = call(podio, "GET", f"/app/space/{space_id}/", user["access_token"]).json()

    assert apps[0]["config"]["name"] == "Leads &amp; Clients"


def test_revision_ids_are_global_and_distinct_from_revision_numbers(podio):
    first, second = sorted(podio.items)[:2]
    podio.update_item(first, {"title": text_value("Ana Pereira")})
    podio.update_item(second, {"title": text_value("Bruno Pereira")})
    _status, user = token(podio, grant_type="password", username=DEMO_USERNAME, password=DEMO_PASSWORD)

    revisions = call(podio, "GET", f"/item/{first}/revision/", user["access_token"]).json()
    item = call(podio, "GET", f"/item/{first}", user["access_token"], params={"mark_as_viewed": "0"}).json()

    assert [revision["revision"] for revision in revisions] == [0, 1]
    assert item["current_revision"]["revision"] == 1
    assert all(revision["item_revision_id"] > 1000000 for revision in revisions)
    assert podio.revisions[second][1]["item_revision_id"] > revisions[1]["item_revision_id"]


def test_the_filter_endpoint_refuses_a_limit_above_its_maximum(podio):
    _status, user = token(podio, grant_type="password", username=DEMO_USERNAME, password=DEMO_PASSWORD)

    answer = call(
        podio, "POST", f"/item/app/{podio.app_id}/filter/", user["access_token"], json={"limit": 501}
    )

    assert answer.status_code == 400


def test_hook_callbacks_are_form_encoded_posts_without_query_strings(podio):
    received = Emulator()
    received.forms = []
    received.router.add(
        "POST",
        "/hook/{secret}",
        lambda request: (
            received.forms.append((request.content_type, request.form, request.query)) or Response(200)
        ),
    )
    _status, user = token(podio, grant_type="password", username=DEMO_USERNAME, password=DEMO_PASSWORD)
    with received:
        hook = call(
            podio,
            "POST",
            f"/hook/app/{podio.app_id}/",
            user["access_token"],
            json={"url": received.url("/hook/abc?x=1"), "type": "item.update"},
        ).json()
        podio.deliver_pending()
        code = received.forms[0][1]["code"]
        assert (
            call(
                podio,
                "POST",
                f"/hook/{hook['hook_id']}/verify/validate",
                user["access_token"],
                json={"code": code},
            ).status_code
            == 204
        )
        podio.update_item(min(podio.items), {"title": text_value("Ana Pereira")})
        podio.deliver_pending()

    (kind, verify, query), (_kind, update, _query) = received.forms
    assert kind == "application/x-www-form-urlencoded" and not query
    assert verify == {"type": "hook.verify", "hook_id": str(hook["hook_id"]), "code": code}
    assert update["type"] == "item.update" and update["item_id"] == str(min(podio.items))
    assert int(update["item_revision_id"]) == podio.revisions[min(podio.items)][1]["item_revision_id"]


def test_hooks_may_be_held_to_the_ports_podio_allows(podio):
    podio.hook_ports = (80, 443)
    _status, user = token(podio, grant_type="password", username=DEMO_USERNAME, password=DEMO_PASSWORD)

    answer = call(
        podio,
        "POST",
        f"/hook/app/{podio.app_id}/",
        user["access_token"],
        json={"url": "http://odoo.example:8069/h", "type": "item.create"},
    )

    assert answer.status_code == 400 and not podio.hooks
