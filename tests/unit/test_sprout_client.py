import multiprocessing
import time
from datetime import datetime, timedelta, timezone

import pytest

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.http_client import NotReadyError
from odoo.addons.connector_base.lib.oauth import StaticToken, TokenEndpointClient, TokenProvider
from odoo.addons.connector_sprout.lib.client import SproutClient, wait_until_seconds
from odoo.addons.connector_sprout.tests.emulator import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_TOKEN,
    TOKEN_PATH,
    SproutEmulator,
    load_sample,
)

UTC = timezone.utc


class ClientCredentials(TokenProvider):
    """What the backend's provider does, in memory: a client-credentials token, renewed on demand."""

    def __init__(self, token_url, scope="organization_id"):
        self.endpoint = TokenEndpointClient(
            token_url, client_id=DEMO_CLIENT_ID, client_secret=DEMO_CLIENT_SECRET
        )
        self.scope = scope
        self.tokens = None
        self.fetched = 0

    def access_token(self):
        return self.tokens.access_token if self.tokens else None

    def expires_soon(self):
        return self.tokens is None or self.tokens.expires_within(300)

    def refresh(self):
        self.tokens = self.endpoint.fetch("client_credentials", scope=self.scope)
        self.fetched += 1
        return True


@pytest.fixture
def sprout():
    emulator = SproutEmulator()
    emulator.sample = load_sample(emulator, start=datetime(2025, 3, 1, 9, 0, tzinfo=UTC))
    with emulator:
        yield emulator


def make_client(sprout, tmp_path, provider=None, **options):
    options = {
        "connect_timeout": 2,
        "read_timeout": 5,
        "backoff_factor": 0.01,
        "rate_limit_key": "backend:1",
        **options,
    }
    return SproutClient(
        token_provider=provider or StaticToken(DEMO_TOKEN),
        api_url=sprout.base_url,
        rate_limit_dir=str(tmp_path),
        **options,
    )


WINDOW = (datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 3, 2, tzinfo=UTC))


def test_the_customer_id_comes_from_the_client_metadata_and_prefixes_every_path(sprout, tmp_path):
    client = make_client(sprout, tmp_path)
    profiles = client.profiles()
    assert client.customer_id == "687751"
    assert [request.path for request in sprout.requests] == [
        "/v1/metadata/client",
        "/v1/687751/metadata/customer",
    ]
    assert {profile["name"] for profile in profiles} == {"ACME", "ACME Lisboa", "ACME Portugal"}
    assert sprout.requests[0].headers["Authorization"] == f"Bearer {DEMO_TOKEN}"


def test_ids_sent_as_strings_are_the_same_ids(sprout, tmp_path):
    sprout.string_ids = True
    client = make_client(sprout, tmp_path)
    client.identify()
    assert client.customer_id == "687751"
    shops = sprout.sample["groups"]["ACME Shops"]
    profiles = [profile["customer_profile_id"] for profile in client.profiles()]
    pages = list(client.messages_created(str(shops), profiles[:2], *WINDOW))
    assert sum(len(page) for page in pages) == 7


def test_client_credentials_token_is_fetched_cached_and_renewed_on_401(sprout, tmp_path):
    provider = ClientCredentials(sprout.url(TOKEN_PATH), scope="687751")
    client = make_client(sprout, tmp_path, provider)
    client.identify()
    client.groups()
    assert provider.fetched == 1, "the token is kept between calls"
    assert sprout.token_requests[0] == {
        "grant_type": "client_credentials",
        "client_id": DEMO_CLIENT_ID,
        "client_secret": DEMO_CLIENT_SECRET,
        "scope": "687751",
    }
    sprout.expire_access_tokens()
    assert len(client.tags()) == 2
    assert provider.fetched == 2, "a 401 fetched a new token once"


def test_a_refused_api_token_is_an_authentication_error_without_the_token(sprout, tmp_path):
    sprout.revoke_api_token()
    client = make_client(sprout, tmp_path)
    with pytest.raises(errors.AuthenticationError) as raised:
        client.identify()
    assert "Token is expired or invalid" in str(raised.value)
    assert DEMO_TOKEN not in str(raised.value)


def test_messages_follow_the_cursor_until_a_page_without_paging(sprout, tmp_path):
    client = make_client(sprout, tmp_path)
    shops = sprout.sample["groups"]["ACME Shops"]
    profiles = [sprout.sample["profiles"]["ACME"], sprout.sample["profiles"]["ACME Lisboa"]]
    pages = list(client.messages_created(shops, profiles, *WINDOW, limit=3))
    assert [len(page) for page in pages] == [3, 3, 1]
    times = [message["created_time"] for page in pages for message in page]
    assert times == sorted(times), "oldest first"
    bodies = [request.json for request in sprout.requests if request.path.endswith("/messages")]
    assert "page_cursor" not in bodies[0]
    assert bodies[1]["page_cursor"] and bodies[2]["page_cursor"] != bodies[1]["page_cursor"]
    assert bodies[0]["filters"] == [
        f"group_id.eq({shops})",
        f"customer_profile_id.eq({profiles[0]}, {profiles[1]})",
        "created_time.in(2025-03-01T00:00:00...2025-03-02T00:00:00)",
    ]
    first = pages[0][0]
    assert set(first) >= {"guid", "created_time", "from", "internal", "perma_link", "language_code"}


def test_a_window_ending_at_a_message_leaves_it_to_the_next_window(sprout, tmp_path):
    client = make_client(sprout, tmp_path)
    shops = sprout.sample["groups"]["ACME Shops"]
    acme = sprout.sample["profiles"]["ACME"]
    first = datetime(2025, 3, 1, 9, 7, tzinfo=UTC)  # the first sample message's time
    before = [m for page in client.messages_created(shops, [acme], WINDOW[0], first) for m in page]
    after = [m for page in client.messages_created(shops, [acme], first, WINDOW[1]) for m in page]
    assert before == []
    assert after[0]["created_time"] == "2025-03-01T09:07:00Z"


def test_acted_messages_need_an_action_in_the_window(sprout, tmp_path):
    client = make_client(sprout, tmp_path)
    shops = sprout.sample["groups"]["ACME Shops"]
    acme = sprout.sample["profiles"]["ACME"]
    guid = sprout.messages[0]["guid"]
    sprout.act_on(guid, tags=[], when=datetime(2025, 3, 1, 18, 0, tzinfo=UTC))
    found = [
        m
        for page in client.messages_acted(
            shops, [acme], WINDOW[0], datetime(2025, 3, 1, 17, 0, tzinfo=UTC), WINDOW[1]
        )
        for m in page
    ]
    assert [message["guid"] for message in found] == [guid]
    with pytest.raises(ValueError):
        client.messages_acted(shops, [acme], WINDOW[1], WINDOW[0], WINDOW[1])


def test_429_is_left_to_the_queue_for_a_minute(sprout, tmp_path):
    client = make_client(sprout, tmp_path)
    client.identify()
    sprout.rate_limit_next()
    with pytest.raises(errors.RateLimitedError) as raised:
        list(client.messages_created(sprout.sample["groups"]["ACME Shops"], [4921], *WINDOW))
    assert raised.value.retry_after == 60.0


def test_202_is_asked_again_and_the_page_comes(sprout, tmp_path):
    client = make_client(sprout, tmp_path)
    client.identify()
    sprout.not_ready_next(wait_until=(datetime.now(UTC) + timedelta(seconds=1)).isoformat())
    started = time.monotonic()
    pages = list(client.messages_created(sprout.sample["groups"]["ACME Shops"], [4921], *WINDOW))
    assert time.monotonic() - started >= 0.5, "not asked again before wait_until"
    assert sum(len(page) for page in pages) == 4


def test_202_waiting_longer_than_the_call_goes_back_to_the_queue(sprout, tmp_path):
    client = make_client(sprout, tmp_path)
    client.identify()
    sprout.not_ready_next(wait_until=(datetime.now(UTC) + timedelta(minutes=2)).isoformat())
    with pytest.raises(NotReadyError) as raised:
        list(client.messages_created(sprout.sample["groups"]["ACME Shops"], [4921], *WINDOW))
    assert 100 < raised.value.retry_after <= 120


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_resent_within_the_call(sprout, tmp_path, status):
    client = make_client(sprout, tmp_path)
    client.identify()
    sprout.fail_next(status)
    pages = list(client.messages_created(sprout.sample["groups"]["ACME Shops"], [4921], *WINDOW))
    assert sum(len(page) for page in pages) == 4
    assert sprout.count("/v1/{customer_id}/messages") == 2


def test_persistent_server_errors_are_a_retryable_error(sprout, tmp_path):
    client = make_client(sprout, tmp_path)
    client.identify()
    sprout.fail_next(503, times=5)
    with pytest.raises(errors.ServerError):
        list(client.messages_created(sprout.sample["groups"]["ACME Shops"], [4921], *WINDOW))


def _thirty_calls_in_a_worker(base_url, directory, results):
    client = SproutClient(
        token_provider=StaticToken(DEMO_TOKEN),
        api_url=base_url,
        customer_id="687751",
        rate_limit_key="backend:1",
        rate_limit_dir=directory,
    )
    for _ in range(30):
        client.groups()
    results.put(client.api_calls)


def test_sixty_calls_a_minute_go_at_once_across_workers_and_the_next_waits_for_the_minute(sprout, tmp_path):
    assert (SproutClient.rate_limit, SproutClient.rate_limit_window) == ((60, 60.0), True)
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    workers = [
        context.Process(target=_thirty_calls_in_a_worker, args=(sprout.base_url, str(tmp_path), results))
        for _ in range(2)
    ]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    calls = [results.get(timeout=30) for _ in workers]
    for worker in workers:
        worker.join(timeout=10)

    assert calls == [30, 30]
    assert sprout.count("/v1/{customer_id}/metadata/customer/groups") == 60
    assert time.monotonic() - started < 20, "sixty calls in a minute wait for nothing"
    # The 61st call of this backend, from any worker, waits until the first of the sixty is a
    # minute old; another backend's budget is its own.
    wait = make_client(sprout, tmp_path).rate_limiter.try_acquire()
    assert 40 < wait <= 60
    assert make_client(sprout, tmp_path, rate_limit_key="backend:2").rate_limiter.try_acquire() is None


def test_wait_until_reads_iso_times_and_epochs():
    now = 1_700_000_000.0
    assert wait_until_seconds("2023-11-14T22:13:30Z", now=now) == pytest.approx(10.0)
    assert wait_until_seconds(now + 5, now=now) == pytest.approx(5.0)
    assert wait_until_seconds((now + 7) * 1000, now=now) == pytest.approx(7.0)
    assert wait_until_seconds("soon", now=now) is None
    assert wait_until_seconds(now - 60, now=now) == 0.0
