from datetime import datetime

import pytest

from odoo.addons.connector_base.lib import errors, oauth
from odoo.addons.connector_podio.lib import client as podio
from odoo.addons.connector_podio.lib.client import PodioClient
from odoo.addons.connector_podio.tests.emulator import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    PodioEmulator,
    load_sample,
    text_value,
)


class GrantedTokens(oauth.TokenProvider):
    """Tokens from Podio's token endpoint, refreshed with the refresh token (what the
    backend's provider does, without the database)."""

    def __init__(self, token_url, grant):
        self.endpoint = oauth.TokenEndpointClient(
            token_url, client_id=DEMO_CLIENT_ID, client_secret=DEMO_CLIENT_SECRET
        )
        self.tokens = self.endpoint.fetch(grant[0], **grant[1])
        self.refreshes = 0

    def access_token(self):
        return self.tokens.access_token

    def expires_soon(self):
        return self.tokens.expires_within(300)

    def refresh(self):
        self.tokens = self.endpoint.fetch("refresh_token", refresh_token=self.tokens.refresh_token)
        self.refreshes += 1
        return True


@pytest.fixture
def podio_emulator():
    emulator = PodioEmulator()
    emulator.sample_app = load_sample(emulator)
    with emulator:
        yield emulator


def make_client(emulator, tmp_path, grant=None, **options):
    grant = grant or podio.password_grant(DEMO_USERNAME, DEMO_PASSWORD)
    tokens = GrantedTokens(podio.token_endpoint(emulator.base_url), grant)
    return PodioClient(
        emulator.base_url,
        token_provider=tokens,
        rate_limit_dir=str(tmp_path),
        rate_limit_holders={"general": podio.quota_holder(DEMO_CLIENT_ID, DEMO_USERNAME)},
        backoff_factor=0.01,
        **options,
    )


def test_the_token_travels_as_oauth2_in_the_authorization_header(podio_emulator, tmp_path):
    with make_client(podio_emulator, tmp_path) as client:
        orgs = client.organizations()

    assert [org["name"] for org in orgs] == ["Demo Org"]
    sent = podio_emulator.requests[-1]
    assert sent.headers["Authorization"] == f"OAuth2 {client.token_provider.access_token()}"


def test_app_authentication_reaches_its_own_app_only(podio_emulator, tmp_path):
    app_id = podio_emulator.sample_app
    other = podio_emulator.add_app(next(iter(podio_emulator.spaces)), "Other", "Thing")
    grant = podio.app_grant(app_id, podio_emulator.app_token(app_id))
    with make_client(podio_emulator, tmp_path, grant=grant) as client:
        assert client.app(app_id)["app_id"] == app_id
        with pytest.raises(errors.PermissionDeniedError):
            client.app(other)


def test_a_wrong_password_is_a_refused_grant():
    with PodioEmulator() as emulator, pytest.raises(oauth.OAuthGrantError) as raised:
        oauth.TokenEndpointClient(
            podio.token_endpoint(emulator.base_url),
            client_id=DEMO_CLIENT_ID,
            client_secret=DEMO_CLIENT_SECRET,
        ).fetch(
            podio.password_grant(DEMO_USERNAME, "wrong")[0], **podio.password_grant(DEMO_USERNAME, "wrong")[1]
        )

    assert raised.value.status == 400 and raised.value.platform_code == "invalid_grant"
    assert "wrong" not in str(raised.value) and DEMO_CLIENT_SECRET not in str(raised.value)


def test_an_expired_token_is_refreshed_once_and_the_call_goes_through(podio_emulator, tmp_path):
    with make_client(podio_emulator, tmp_path) as client:
        podio_emulator.expire_access_tokens()
        client.token_provider.tokens = oauth.TokenSet(
            client.token_provider.tokens.access_token, client.token_provider.tokens.refresh_token, None
        )  # the client does not know it expired: Podio's 401 expired_token tells it

        app = client.app(podio_emulator.sample_app)

    assert app["app_id"] == podio_emulator.sample_app and client.token_provider.refreshes == 1
    paths = [request.path for request in podio_emulator.requests]
    assert paths[-3:] == [
        f"/app/{podio_emulator.sample_app}",
        "/oauth/token",
        f"/app/{podio_emulator.sample_app}",
    ]


def test_a_token_about_to_expire_is_refreshed_before_the_call(podio_emulator, tmp_path):
    with make_client(podio_emulator, tmp_path) as client:
        tokens = client.token_provider.tokens
        client.token_provider.tokens = oauth.TokenSet(tokens.access_token, tokens.refresh_token, 0)

        client.organizations()

    assert client.token_provider.refreshes == 1
    assert [request.path for request in podio_emulator.requests][-2:] == ["/oauth/token", "/org/"]


def test_a_dead_refresh_token_is_a_refused_credential(podio_emulator, tmp_path):
    with make_client(podio_emulator, tmp_path) as client:
        podio_emulator.expire_access_tokens()
        podio_emulator.revoke_refresh_tokens()

        with pytest.raises(errors.AuthenticationError) as raised:
            client.organizations()

    assert raised.value.status == 400 and raised.value.platform_code == "invalid_grant"


def test_a_420_hands_the_call_back_for_the_configured_interval(podio_emulator, tmp_path):
    podio_emulator.fail_next(420, route="/org/")
    with (
        make_client(podio_emulator, tmp_path, rate_limit_backoff=120) as client,
        pytest.raises(errors.RateLimitedError) as raised,
    ):
        client.organizations()
    with make_client(podio_emulator, tmp_path) as client:  # the job's next attempt
        assert client.organizations()[0]["name"] == "Demo Org"

    assert raised.value.retryable and raised.value.retry_after == 120.0
    assert raised.value.status == 420


def test_the_client_stops_before_the_last_calls_podio_reports(podio_emulator, tmp_path):
    podio_emulator.quotas = (PodioEmulator.general_quota(podio.QUOTA_RESERVE + 2),)
    with make_client(podio_emulator, tmp_path, rate_limit_backoff=90) as client:
        client.organizations()
        client.organizations()  # Podio now reports QUOTA_RESERVE left
        with pytest.raises(errors.RateLimitedError) as raised:
            client.organizations()

    assert raised.value.retry_after == 90.0
    assert podio_emulator.count(route="/org/") == 2


def test_a_5xx_is_retryable(podio_emulator, tmp_path):
    podio_emulator.fail_next(500, route="/app/{app_id}")
    with make_client(podio_emulator, tmp_path) as client, pytest.raises(errors.ServerError):
        client.app(podio_emulator.sample_app)


def test_filter_pages_through_the_items_oldest_edit_first(podio_emulator, tmp_path):
    app_id = podio_emulator.sample_app
    first = min(podio_emulator.items)
    edited = podio.parse_podio_time(podio_emulator.items[first]["current_revision"]["created_on"])
    later = edited.replace(year=edited.year + 1)
    podio_emulator.update_item(
        first, {"title": text_value("Ana Silva Pereira")}, when=later
    )  # the newest edit
    with make_client(podio_emulator, tmp_path) as client:
        pages = list(client.iter_item_pages(app_id, page_size=2))

    assert [len(page) for page in pages] == [2, 1]
    assert [item["item_id"] for page in pages for item in page][-1] == first
    bodies = [
        request.json for request in podio_emulator.requests if request.route == "/item/app/{app_id}/filter/"
    ]
    assert [(body["offset"], body["limit"], body["sort_by"], body["sort_desc"]) for body in bodies] == [
        (0, 2, "last_edit_on", False),
        (2, 2, "last_edit_on", False),
    ]


def test_filter_since_an_edit_time_returns_only_later_edits(podio_emulator, tmp_path):
    app_id = podio_emulator.sample_app
    first = min(podio_emulator.items)
    edited = podio.parse_podio_time(podio_emulator.items[first]["current_revision"]["created_on"])
    podio_emulator.update_item(first, {"title": text_value("Ana")}, when=edited.replace(year=edited.year + 1))
    with make_client(podio_emulator, tmp_path) as client:
        found = [
            item["item_id"]
            for page in client.iter_item_pages(app_id, edited_since=edited.replace(year=edited.year + 1))
            for item in page
        ]

    assert found == [first]


def test_reading_an_item_never_marks_it_viewed(podio_emulator, tmp_path):
    item_id = min(podio_emulator.items)
    with make_client(podio_emulator, tmp_path) as client:
        item = client.item(item_id)

    assert item["item_id"] == item_id and podio_emulator.viewed == set()


def test_hooks_are_created_inactive_and_validated_with_the_code_podio_sent(podio_emulator, tmp_path):
    app_id = podio_emulator.sample_app
    with make_client(podio_emulator, tmp_path) as client:
        hook_id = client.create_hook(
            app_id, "https://odoo.example/connector/podio/hook/1/s3cr3t", "item.create"
        )["hook_id"]
        assert client.hooks(app_id) == [
            {
                "hook_id": hook_id,
                "status": "inactive",
                "type": "item.create",
                "url": "https://odoo.example/connector/podio/hook/1/s3cr3t",
            }
        ]
        (verify,) = podio_emulator.outbox
        assert verify.body["type"] == "hook.verify" and verify.body["hook_id"] == str(hook_id)
        with pytest.raises(errors.ValidationError):
            client.validate_hook(hook_id, "not-the-code")

        client.validate_hook(hook_id, verify.body["code"])

        assert client.hooks(app_id)[0]["status"] == "active"


def test_podio_times_are_read_as_naive_utc_and_other_shapes_refused():
    assert podio.parse_podio_time("2025-03-01 09:30:05") == datetime(2025, 3, 1, 9, 30, 5)
    assert podio.parse_podio_time("") is None
    for text in ("2025-03-01T09:30:05", "2025-03-01 09:30:05.5", "2025-03-01 09:30:05Z", "2025-03-01"):
        with pytest.raises(ValueError):
            podio.parse_podio_time(text)
