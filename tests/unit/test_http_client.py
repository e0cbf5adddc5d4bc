import logging
import re
import time
import traceback
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.http_client import HttpClient, InvalidResponseError, parse_retry_after
from odoo.addons.connector_base.tests.emulator import Emulator, EmulatorHTTPError, Response

ITEM = "/items/{item_id}"
TOKEN = "/oauth/token"
STALE_TOKEN = "tok-stale-0123456789"
FRESH_TOKEN = "tok-fresh-9876543210"
REFRESH_TOKEN = "refresh-secret-abcdef"
API_KEY = "key-secret-13579"


class ApiEmulator(Emulator):
    """A platform that accepts one bearer token at a time and rotates it on refresh."""

    def __init__(self, valid_token=STALE_TOKEN):
        super().__init__()
        self.valid_token = valid_token
        self.router.add("GET", ITEM, self.get_item)
        self.router.add("POST", "/items", self.create_item)
        self.router.add("DELETE", ITEM, lambda request: Response(204))
        self.router.add(
            "GET",
            "/report.pdf",
            lambda request: Response(200, b"%PDF-1.7", {"Content-Type": "application/pdf"}),
        )
        self.router.add("POST", TOKEN, self.issue_token)

    def _authenticate(self, request):
        sent = request.headers.get("Authorization") or request.query.get("token")
        if sent not in (f"Bearer {self.valid_token}", self.valid_token):
            # Echoes the credential back, as some platforms do, to prove the client masks it.
            raise EmulatorHTTPError(
                401, {"error": "invalid_token", "error_description": f"{sent} is not valid"}
            )

    def get_item(self, request):
        self._authenticate(request)
        return {"id": request.params["item_id"]}

    def create_item(self, request):
        self._authenticate(request)
        return Response(201, {"id": "new", **request.json})

    def issue_token(self, request):
        if request.form.get("refresh_token") != REFRESH_TOKEN:
            raise EmulatorHTTPError(400, {"error": "invalid_grant"})
        self.valid_token = FRESH_TOKEN
        return {"access_token": FRESH_TOKEN}


class BearerClient(HttpClient):
    platform = "Example"

    def __init__(self, base_url, token=STALE_TOKEN, **options):
        # Timeouts a loaded machine meets; the timeout test sets its own short one.
        options = {"connect_timeout": 2, "read_timeout": 5, "backoff_factor": 0.01, **options}
        super().__init__(base_url, **options)
        self.token = token

    def _auth_headers(self):
        return {"Authorization": f"Bearer {self.token}"}


class RefreshingClient(BearerClient):
    def _secrets(self):
        return [*super()._secrets(), REFRESH_TOKEN]

    def _refresh_token(self):
        self.token = self.post(TOKEN, data={"refresh_token": REFRESH_TOKEN})["access_token"]
        return True


class QueryKeyClient(BearerClient):
    """Trello-style credentials in the query string."""

    def _auth_headers(self):
        return {}

    def _auth_params(self):
        return {"key": API_KEY, "token": self.token}


class PodioLikeClient(BearerClient):
    rate_limit_statuses = frozenset({420, 429})

    def _retry_after_from_body(self, response):
        found = re.search(r"wait (\d+) seconds", response.text)
        return float(found.group(1)) if found else None


@pytest.fixture
def api():
    with ApiEmulator() as emulator:
        yield emulator


@pytest.fixture
def client(api):
    with BearerClient(api.base_url) as client:
        yield client


def test_get_returns_parsed_json_and_sends_auth_and_default_headers(api, client):
    assert client.get("/items/42") == {"id": "42"}

    sent = api.requests[0].headers
    assert sent["Authorization"] == f"Bearer {STALE_TOKEN}"
    assert sent["Accept"] == "application/json"
    assert sent["User-Agent"] == "odoo-connector"


def test_post_sends_json_and_returns_the_created_object(api, client):
    assert client.post("/items", json={"name": "Card"}) == {"id": "new", "name": "Card"}


def test_auth_params_are_merged_into_the_query(api):
    with QueryKeyClient(api.base_url) as client:
        client.get("/items/1", params={"fields": "name"})

    assert api.requests[0].query == {"fields": "name", "key": API_KEY, "token": STALE_TOKEN}


def test_non_json_answer_is_returned_as_bytes(client):
    assert client.get("/report.pdf") == b"%PDF-1.7"


def test_empty_answer_returns_none(client):
    assert client.delete("/items/1") is None


def test_absolute_url_bypasses_the_base_url(api):
    with BearerClient("http://127.0.0.1:9/elsewhere") as client:
        assert client.get(api.url("/items/7")) == {"id": "7"}


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, errors.ValidationError),
        (401, errors.AuthenticationError),
        (403, errors.PermissionDeniedError),
        (404, errors.NotFoundError),
        (408, errors.NetworkError),
        (409, errors.ValidationError),
        (410, errors.NotFoundError),
        (422, errors.ValidationError),
        (500, errors.ServerError),
        (501, errors.ServerError),
    ],
)
def test_error_status_maps_to_its_typed_error(api, client, status, error_class):
    api.faults.add(status=status)

    with pytest.raises(errors.ConnectorError) as raised:
        client.get("/items/1")

    assert type(raised.value) is error_class
    assert raised.value.status == status
    assert raised.value.retryable is (status in (408, 500, 501))
    assert api.count(ITEM) == 1


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        ({"errorCode": 1006, "message": "Not Found", "refId": "x1"}, 1006, "Not Found"),
        (
            {"error": "not_found", "error_description": "Item 1 was deleted"},
            "not_found",
            "Item 1 was deleted",
        ),
        ({"error": {"code": "E_GONE", "message": "gone"}}, "E_GONE", "gone"),
        ("model not found", None, "model not found"),
    ],
    ids=["smartsheet", "podio", "nested", "plain-text"],
)
def test_platform_error_code_and_message_are_kept(api, client, body, code, message):
    api.faults.add(status=404, body=body)

    with pytest.raises(errors.NotFoundError) as raised:
        client.get("/items/1")

    assert (raised.value.platform_code, raised.value.platform_message) == (code, message)
    assert message in str(raised.value)
    assert str(raised.value).startswith("Example refused GET /items/1 (HTTP 404")


def test_429_with_short_retry_after_is_retried_within_the_call(api, client):
    api.faults.add(status=429, headers={"Retry-After": "0.2"})

    started = time.monotonic()
    assert client.get("/items/1") == {"id": "1"}

    assert time.monotonic() - started >= 0.2
    assert api.count(ITEM) == 2


def test_429_with_long_retry_after_is_rescheduled_not_slept(api, client):
    api.faults.add(status=429, headers={"Retry-After": "3600"})

    started = time.monotonic()
    with pytest.raises(errors.RateLimitedError) as raised:
        client.get("/items/1")

    assert time.monotonic() - started < 0.5
    assert raised.value.retry_after == 3600
    assert raised.value.retryable
    assert api.count(ITEM) == 1


def test_429_with_http_date_retry_after_is_rescheduled_with_the_remaining_seconds(api, client):
    later = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=120), usegmt=True)
    api.faults.add(status=429, headers={"Retry-After": later})

    with pytest.raises(errors.RateLimitedError) as raised:
        client.get("/items/1")

    assert 115 <= raised.value.retry_after <= 120


def test_429_without_a_wait_hint_is_left_to_the_queue_backoff(api, client):
    api.faults.add(status=429)

    with pytest.raises(errors.RateLimitedError) as raised:
        client.get("/items/1")

    assert raised.value.retry_after is None
    assert api.count(ITEM) == 1


def test_repeated_short_429_stops_after_the_bounded_in_call_retries(api, client):
    api.faults.add(status=429, headers={"Retry-After": "0"}, times=10)

    with pytest.raises(errors.RateLimitedError):
        client.get("/items/1")

    assert api.count(ITEM) == 1 + client.max_rate_limit_retries


def test_short_waits_stop_being_slept_once_they_add_up_past_the_in_call_budget(api):
    api.faults.add(status=429, headers={"Retry-After": "0.3"}, times=2)

    with (
        BearerClient(api.base_url, max_in_call_wait=0.5) as client,
        pytest.raises(errors.RateLimitedError) as raised,
    ):
        client.get("/items/1")

    assert raised.value.retry_after == 0.3
    assert api.count(ITEM) == 2


def test_podio_style_420_is_a_rate_limit_with_the_wait_read_from_the_body(api):
    api.faults.add(
        status=420,
        body={
            "error": "rate_limit",
            "error_description": "You have hit the rate limit. Please wait 3600 seconds",
        },
    )

    with PodioLikeClient(api.base_url) as client, pytest.raises(errors.RateLimitedError) as raised:
        client.get("/items/1")

    assert raised.value.retry_after == 3600
    assert raised.value.platform_code == "rate_limit"
    assert raised.value.status == 420


def test_420_is_a_validation_error_for_a_platform_that_does_not_use_it(api, client):
    api.faults.add(status=420)

    with pytest.raises(errors.ValidationError):
        client.get("/items/1")


def test_500_is_a_retryable_server_error_left_to_the_queue(api, client):
    api.faults.add(status=500)

    with pytest.raises(errors.ServerError) as raised:
        client.get("/items/1")

    assert raised.value.retryable
    assert api.count(ITEM) == 1


def test_503_on_get_is_retried_by_the_adapter_then_succeeds(api, client):
    api.faults.add(status=503)

    assert client.get("/items/1") == {"id": "1"}
    assert api.count(ITEM) == 2
    assert client.api_calls == 2


def test_persistent_503_raises_after_bounded_retries_without_sleeping_retry_after(api, client):
    api.faults.add(status=503, headers={"Retry-After": "120"}, times=10)

    started = time.monotonic()
    with pytest.raises(errors.ServerError) as raised:
        client.get("/items/1")

    assert time.monotonic() - started < 1
    assert api.count(ITEM) == 3
    assert raised.value.retry_after == 120


def test_503_on_post_is_not_retried_because_it_is_not_idempotent(api, client):
    api.faults.add(status=503)

    with pytest.raises(errors.ServerError):
        client.post("/items", json={"name": "Card"})

    assert api.count("/items", method="POST") == 1


def test_answer_slower_than_the_read_timeout_raises_a_retryable_network_error(api):
    api.faults.add(delay=2)

    started = time.monotonic()
    with BearerClient(api.base_url, read_timeout=0.2) as client, pytest.raises(errors.NetworkError) as raised:
        client.get("/items/1")

    assert time.monotonic() - started < 1
    assert raised.value.retryable
    assert "(no answer within 0.2 s): check the API URL and the network." in str(raised.value)
    assert api.count(ITEM) == 1


def test_dropped_connection_raises_a_network_error_without_resending(api, client):
    api.faults.add(drop=True)

    with pytest.raises(errors.NetworkError):
        client.post("/items", json={"name": "Card"})

    assert api.count("/items") == 1


def test_refused_connection_raises_a_network_error():
    emulator = Emulator().start()
    base_url = emulator.base_url
    emulator.stop()

    with BearerClient(base_url) as client, pytest.raises(errors.NetworkError) as raised:
        client.get("/items/1")

    assert raised.value.retryable
    origin = base_url.split("/", 3)
    assert str(raised.value) == (
        f"Cannot reach Example at {origin[0]}//{origin[2]} (connection refused): "
        "check the API URL and the network."
    )
    assert raised.value.network_reason == "connection refused"


def test_invalid_json_in_a_2xx_answer_raises_a_retryable_invalid_response_error(api, client):
    api.faults.add(invalid_json=True)

    with pytest.raises(InvalidResponseError) as raised:
        client.get("/items/1")

    assert isinstance(raised.value, errors.ServerError)
    assert raised.value.retryable
    assert raised.value.status == 200


def test_invalid_base_url_raises_a_configuration_error():
    with BearerClient("no-scheme.example") as client, pytest.raises(errors.ConfigurationError):
        client.get("/items/1")


def test_401_then_success_after_a_token_refresh(api):
    with RefreshingClient(api.base_url, token="tok-expired") as client:
        assert client.get("/items/1") == {"id": "1"}
        assert client.token == FRESH_TOKEN

    assert [(request.method, request.path) for request in api.requests] == [
        ("GET", "/items/1"),
        ("POST", TOKEN),
        ("GET", "/items/1"),
    ]
    assert api.requests[-1].headers["Authorization"] == f"Bearer {FRESH_TOKEN}"


def test_second_401_after_a_refresh_raises_authentication_error(api):
    api.faults.add(status=401, route=ITEM, times=2)

    with RefreshingClient(api.base_url) as client, pytest.raises(errors.AuthenticationError):
        client.get("/items/1")

    assert (api.count(ITEM), api.count(TOKEN)) == (2, 1)


def test_401_without_refresh_support_raises_authentication_error_at_once(api):
    with BearerClient(api.base_url, token="tok-expired") as client, pytest.raises(errors.AuthenticationError):
        client.get("/items/1")

    assert api.count() == 1


def test_token_expiring_soon_is_refreshed_before_the_call(api):
    class ExpiringClient(RefreshingClient):
        def _token_expires_soon(self):
            return self.token != FRESH_TOKEN

    with ExpiringClient(api.base_url, token="tok-about-to-expire") as client:
        assert client.get("/items/1") == {"id": "1"}

    assert [request.path for request in api.requests] == [TOKEN, "/items/1"]


def test_secrets_are_absent_from_exception_messages_tracebacks_and_logs(api, caplog):
    caplog.set_level(logging.DEBUG)
    api.valid_token = "tok-the-platform-expects"
    stopped = Emulator().start()
    refused_url = stopped.base_url
    stopped.stop()
    with QueryKeyClient(api.base_url) as client:
        api.faults.add(status=429, headers={"Retry-After": "0"})
        with pytest.raises(errors.AuthenticationError) as rejected:
            client.get("/items/1")
        api.faults.add(drop=True)
        with pytest.raises(errors.NetworkError) as dropped:
            client.get("/items/1")
    with QueryKeyClient(refused_url) as client, pytest.raises(errors.NetworkError) as refused:
        client.get("/items/1")
    raised = [rejected.value, dropped.value, refused.value]

    assert "is not valid" in rejected.value.platform_message
    texts = [
        *("".join(traceback.format_exception(error)) for error in raised),
        *(error.platform_message or "" for error in raised),
        *(record.getMessage() for record in caplog.records),
    ]
    for text in texts:
        assert STALE_TOKEN not in text
        assert API_KEY not in text
    assert any(
        record.name.startswith("urllib3") and "token=***" in record.getMessage() for record in caplog.records
    )


def test_refresh_token_is_absent_from_an_authentication_error(api):
    api.faults.add(status=401, route=ITEM, body={"message": f"refresh {REFRESH_TOKEN} revoked"}, times=2)

    with RefreshingClient(api.base_url) as client, pytest.raises(errors.AuthenticationError) as raised:
        client.get("/items/1")

    assert REFRESH_TOKEN not in str(raised.value)
    assert "revoked" in str(raised.value)


def test_sequential_calls_reuse_one_pooled_connection(api, client):
    for item in range(3):
        client.get(f"/items/{item}")

    assert len({request.client_port for request in api.requests}) == 1


def test_api_calls_counts_every_request_sent_including_adapter_retries(api, client):
    api.faults.add(status=502)
    client.get("/items/1")
    client.post("/items", json={})
    client.delete("/items/1")

    assert client.api_calls == api.count() == 4


def test_client_side_rate_limit_spaces_the_calls(api, tmp_path):
    class LimitedClient(BearerClient):
        rate_limit = (2, 0.5)

    with LimitedClient(api.base_url, rate_limit_key="backend-1", rate_limit_dir=str(tmp_path)) as client:
        started = time.monotonic()
        for item in range(4):
            client.get(f"/items/{item}")

    assert time.monotonic() - started >= 0.45


def test_client_side_rate_limit_beyond_the_in_call_wait_raises_before_sending(api, tmp_path):
    class LimitedClient(BearerClient):
        rate_limit = (1, 60)

    with LimitedClient(
        api.base_url, rate_limit_key="backend-2", rate_limit_dir=str(tmp_path), max_in_call_wait=0.2
    ) as client:
        client.get("/items/1")
        with pytest.raises(errors.RateLimitedError) as raised:
            client.get("/items/2")

    assert 59 <= raised.value.retry_after <= 60
    assert api.count() == 1


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("120", 120.0), (" 0 ", 0.0), ("-5", 0.0), ("soon", None), ("", None), (None, None)],
)
def test_parse_retry_after_reads_delta_seconds(value, seconds):
    assert parse_retry_after(value) == seconds


def test_parse_retry_after_reads_an_http_date_relative_to_now():
    now = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)

    assert parse_retry_after("Wed, 01 May 2024 12:01:30 GMT", now=now) == 90
    assert parse_retry_after("Wed, 01 May 2024 11:00:00 GMT", now=now) == 0
