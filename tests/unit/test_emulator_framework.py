import hashlib
import hmac
import itertools
import threading
import time

import pytest
import requests

from odoo.addons.connector_base.tests import emulator as framework
from odoo.addons.connector_base.tests.emulator import (
    MALFORMED_JSON,
    DemoPages,
    Emulator,
    EmulatorHTTPError,
    PendingDelivery,
    Quota,
    Response,
    hmac_sha1_base64_body_and_url,
    hmac_sha256_hex,
    page_by_id,
    page_by_number,
    page_by_offset,
    send_signed_webhook,
)

BOARD = "/1/boards/{board_id}"


@pytest.fixture
def emulator():
    emulator = Emulator()
    emulator.router.add(
        "GET", BOARD, lambda request: {"id": request.params["board_id"], "query": request.query}
    )
    emulator.router.add("POST", "/1/cards", lambda request: Response(201, {"received": request.json}))
    emulator.router.add("POST", "/oauth/token", lambda request: request.form)
    emulator.router.add(
        "POST",
        "/media",
        lambda request: {
            name: [part.filename, part.content_type, part.content.decode("latin-1")]
            for name, part in request.multipart.items()
        },
    )
    emulator.router.add("GET", "/text", lambda request: Response(200, "plain", {"X-Kind": "text"}))
    with emulator:
        yield emulator


def test_route_parameters_and_query_reach_the_handler(emulator):
    answer = requests.get(emulator.url("/1/boards/b%20one"), params={"fields": "name"}, timeout=2)

    assert answer.status_code == 200
    assert answer.json() == {"id": "b one", "query": {"fields": "name"}}


def test_json_body_is_parsed_per_content_type(emulator):
    answer = requests.post(emulator.url("/1/cards"), json={"name": "Card"}, timeout=2)

    assert answer.status_code == 201
    assert answer.json() == {"received": {"name": "Card"}}


def test_form_body_is_parsed_per_content_type(emulator):
    answer = requests.post(emulator.url("/oauth/token"), data={"grant_type": "refresh_token"}, timeout=2)

    assert answer.json() == {"grant_type": "refresh_token"}


def test_multipart_body_is_parsed_into_named_parts(emulator):
    picture = bytes(range(256))
    response = requests.post(
        emulator.url("/media"),
        files={"media": ("shop.png", picture, "image/png"), "media_url": (None, "https://example.com/a.jpg")},
        timeout=5,
    )

    assert response.json() == {
        "media": ["shop.png", "image/png", picture.decode("latin-1")],
        "media_url": [None, "text/plain", "https://example.com/a.jpg"],
    }
    assert requests.post(emulator.url("/media"), json={"a": 1}, timeout=5).json() == {}


def test_a_body_that_is_not_the_multipart_it_announces_answers_400(emulator):
    response = requests.post(
        emulator.url("/media"), data=b"garbage", headers={"Content-Type": "multipart/form-data"}, timeout=5
    )

    assert response.status_code == 400


def test_malformed_json_request_body_answers_400(emulator):
    answer = requests.post(
        emulator.url("/1/cards"), data=b"{oops", headers={"Content-Type": "application/json"}, timeout=2
    )

    assert answer.status_code == 400
    assert answer.json()["status"] == 400


def test_handler_can_reject_with_an_http_error(emulator):
    def reject(request):
        raise EmulatorHTTPError(409, {"error": "conflict"})

    emulator.router.add("DELETE", BOARD, reject)

    answer = requests.delete(emulator.url("/1/boards/b1"), timeout=2)

    assert (answer.status_code, answer.json()) == (409, {"error": "conflict"})


def test_crashing_handler_answers_500(emulator, caplog):
    emulator.router.add("GET", "/boom", lambda request: 1 / 0)

    answer = requests.get(emulator.url("/boom"), timeout=2)

    assert answer.status_code == 500
    assert "ZeroDivisionError" in answer.json()["message"]
    assert "emulator handler for GET /boom failed" in caplog.text


def test_unknown_path_answers_404_as_json(emulator):
    answer = requests.get(emulator.url("/nowhere"), timeout=2)

    assert answer.status_code == 404
    assert answer.json()["path"] == "/nowhere"


def test_known_path_with_wrong_method_answers_405_as_json(emulator):
    answer = requests.put(emulator.url("/1/boards/b1"), timeout=2)

    assert answer.status_code == 405
    assert answer.headers["Allow"] == "GET"
    assert answer.json()["status"] == 405


def test_head_answers_like_get_without_a_body(emulator):
    get = requests.get(emulator.url("/text"), timeout=2)
    head = requests.head(emulator.url("/text"), timeout=2)

    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["X-Kind"] == "text"
    assert head.headers["Content-Length"] == str(len(get.content)) == "5"


def test_requests_are_logged_and_counted_per_route_until_reset(emulator):
    requests.get(emulator.url("/1/boards/b1"), params={"fields": "all"}, headers={"X-Trace": "1"}, timeout=2)
    requests.get(emulator.url("/1/boards/b2"), timeout=2)
    requests.post(emulator.url("/1/cards"), json={"name": "c"}, timeout=2)
    requests.get(emulator.url("/nowhere"), timeout=2)

    first = emulator.requests[0]
    assert (first.method, first.path, first.route, first.query) == (
        "GET",
        "/1/boards/b1",
        BOARD,
        {"fields": "all"},
    )
    assert first.headers["x-trace"] == "1"
    assert emulator.requests[2].body == b'{"name": "c"}'
    assert emulator.count(BOARD) == 2
    assert emulator.count("/1/cards", method="POST") == 1
    assert emulator.count("/1/cards", method="GET") == 0
    assert emulator.count() == 4

    emulator.reset()

    assert emulator.count() == 0
    assert emulator.requests == []


def test_status_fault_answers_the_armed_number_of_times_then_the_handler_answers(emulator):
    emulator.faults.add(status=429, headers={"Retry-After": "1"}, body={"error": "slow down"}, times=2)

    answers = [requests.get(emulator.url("/1/boards/b1"), timeout=2) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [429, 429, 200]
    assert answers[0].headers["Retry-After"] == "1"
    assert answers[0].json() == {"error": "slow down"}
    assert emulator.faults.pending == 0
    assert emulator.count(BOARD) == 3


def test_fault_only_hits_its_route_and_method(emulator):
    emulator.faults.add(status=503, route="/1/cards", method="POST")

    board = requests.get(emulator.url("/1/boards/b1"), timeout=2)
    card = requests.post(emulator.url("/1/cards"), json={}, timeout=2)

    assert (board.status_code, card.status_code) == (200, 503)


def test_faults_are_consumed_in_the_order_they_were_armed(emulator):
    emulator.faults.add(status=500)
    emulator.faults.add(status=502)

    statuses = [requests.get(emulator.url("/1/boards/b1"), timeout=2).status_code for _ in range(3)]

    assert statuses == [500, 502, 200]


def test_delay_fault_answers_normally_but_late(emulator):
    emulator.faults.add(delay=0.3)

    started = time.monotonic()
    answer = requests.get(emulator.url("/1/boards/b1"), timeout=2)

    assert answer.status_code == 200
    assert time.monotonic() - started >= 0.3


def test_a_held_answer_comes_after_the_handler_acted(emulator):
    created = []
    emulator.router.add("POST", "/1/things", lambda request: created.append(1) or Response(200, {"id": "t1"}))
    fault = emulator.faults.add(hold=5, route="/1/things", method="POST")

    with pytest.raises(requests.ReadTimeout):
        requests.post(emulator.url("/1/things"), timeout=0.3)

    # The client gave up; the platform had already created the object.
    assert fault.holding.is_set()
    assert created == [1]
    assert requests.post(emulator.url("/1/things"), timeout=2).json() == {"id": "t1"}


def test_a_hold_cannot_be_combined_with_a_fault_answer(emulator):
    with pytest.raises(ValueError):
        emulator.faults.add(status=500, hold=1)


def test_drop_fault_closes_the_connection_without_an_answer(emulator):
    emulator.faults.add(drop=True)

    with pytest.raises(requests.ConnectionError):
        requests.get(emulator.url("/1/boards/b1"), timeout=2)
    assert requests.get(emulator.url("/1/boards/b1"), timeout=2).status_code == 200


def test_invalid_json_fault_answers_200_with_a_malformed_json_body(emulator):
    emulator.faults.add(invalid_json=True)

    answer = requests.get(emulator.url("/1/boards/b1"), timeout=2)

    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.content == MALFORMED_JSON
    with pytest.raises(ValueError):
        answer.json()


@pytest.mark.parametrize(
    "fault",
    [{"status": 500, "drop": True}, {"status": 500, "invalid_json": True}, {}],
    ids=["status-and-drop", "status-and-invalid-json", "nothing"],
)
def test_fault_must_have_exactly_one_kind_of_answer(emulator, fault):
    with pytest.raises(ValueError):
        emulator.faults.add(**fault)


def test_stop_closes_the_port():
    emulator = Emulator().start()
    url = emulator.url("/")
    emulator.stop()

    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=0.5)


def _receiver(secret_check):
    receiver = Emulator()
    received = []

    def hook(request):
        received.append(request)
        return Response(200 if secret_check(request) else 401)

    receiver.router.add("POST", "/webhooks/callback", hook)
    return receiver, received


def test_signed_webhook_carries_the_hmac_sha256_of_its_body():
    def valid(request):
        expected = hmac.new(b"s3cret", request.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(request.headers["Smartsheet-Hmac-SHA256"], expected)

    receiver, received = _receiver(valid)
    with receiver:
        answer = send_signed_webhook(
            receiver.url("/webhooks/callback"),
            {"event": "updated"},
            sign=hmac_sha256_hex("s3cret"),
            signature_header="Smartsheet-Hmac-SHA256",
        )

    assert answer.status_code == 200
    assert received[0].json == {"event": "updated"}


def test_signed_webhook_signature_covers_body_and_callback_url():
    signer = hmac_sha1_base64_body_and_url("s3cret")
    receiver, received = _receiver(lambda request: True)
    with receiver:
        url = receiver.url("/webhooks/callback")
        send_signed_webhook(url, b'{"action": {}}', sign=signer, signature_header="X-Trello-Webhook")

    signature = received[0].headers["X-Trello-Webhook"]
    assert signature == signer(b'{"action": {}}', url)
    assert signature != signer(b'{"action": {}}', url + "/other")


def test_signed_webhook_with_a_wrong_secret_is_refused_by_a_verifying_receiver():
    def valid(request):
        expected = hmac.new(b"s3cret", request.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(request.headers["X-Signature"], expected)

    receiver, _received = _receiver(valid)
    with receiver:
        answer = send_signed_webhook(
            receiver.url("/webhooks/callback"),
            {},
            sign=hmac_sha256_hex("wrong"),
            signature_header="X-Signature",
        )

    assert answer.status_code == 401


def test_a_given_signature_is_sent_as_it_is():
    receiver, received = _receiver(lambda request: True)
    with receiver:
        send_signed_webhook(
            receiver.url("/webhooks/callback"), b"{}", signature_header="X-Signature", signature="forged"
        )

    assert received[0].headers["X-Signature"] == "forged"


class Platform(Emulator):
    """A platform with one token, one quota per token reported in two headers, and a public page."""

    quotas = (Quota("token", 2, 60000, {"max": "X-Limit", "remaining": "X-Remaining"}),)

    def __init__(self):
        super().__init__()
        self.route("GET", "/me", lambda request: {"caller": request.caller})
        self.route("GET", "/consent", lambda request: {"caller": request.caller}, public=True)
        self.route("GET", "/refuse", self.refuse)

    def authenticate(self, request):
        token = request.headers.get("Authorization")
        if token not in ("t1", "t2"):
            raise EmulatorHTTPError(401, {"error": "invalid token"})
        return {"token": token}

    def quota_holder(self, request, quota):
        return request.headers.get("Authorization")

    def refuse(self, request):
        raise EmulatorHTTPError(404, {"error": "not found"})


@pytest.fixture
def platform():
    with Platform() as emulator:
        yield emulator


def test_a_guarded_route_hands_the_checked_caller_to_its_handler(platform):
    answer = requests.get(platform.url("/me"), headers={"Authorization": "t1"}, timeout=2)

    assert answer.json() == {"caller": {"token": "t1"}}


def test_a_refused_credential_answers_the_platform_refusal_with_its_quota_headers(platform):
    answer = requests.get(platform.url("/me"), headers={"Authorization": "nope"}, timeout=2)

    assert (answer.status_code, answer.json()) == (401, {"error": "invalid token"})
    assert (answer.headers["X-Limit"], answer.headers["X-Remaining"]) == ("2", "1")


def test_every_answer_of_a_guarded_route_reports_what_is_left_of_its_holder_quota(platform):
    first, second, third = (
        requests.get(platform.url(path), headers={"Authorization": "t1"}, timeout=2)
        for path in ("/me", "/refuse", "/me")
    )
    other = requests.get(platform.url("/me"), headers={"Authorization": "t2"}, timeout=2)

    assert second.status_code == 404
    assert [answer.headers["X-Remaining"] for answer in (first, second, third)] == ["1", "0", "0"]
    assert other.headers["X-Remaining"] == "1"
    assert "X-Limit" not in requests.get(platform.url("/consent"), timeout=2).headers


def test_a_public_route_skips_the_credential_check(platform):
    answer = requests.get(platform.url("/consent"), timeout=2)

    assert (answer.status_code, answer.json()) == (200, {"caller": None})


def test_an_armed_rate_limit_can_carry_the_exhausted_quota_headers(platform):
    platform.faults.add(429, headers=platform.exhausted_quota_headers())

    answer = requests.get(platform.url("/me"), headers={"Authorization": "t1"}, timeout=2)

    assert answer.status_code == 429
    assert (answer.headers["X-Limit"], answer.headers["X-Remaining"]) == ("2", "0")


def test_guarded_routes_answer_one_at_a_time_under_the_state_lock(platform):
    entered = threading.Event()
    platform.route("GET", "/slow", lambda request: entered.set() or time.sleep(0.3) or {})
    slow = threading.Thread(
        target=requests.get, args=(platform.url("/slow"),), kwargs={"headers": {"Authorization": "t1"}}
    )
    slow.start()
    entered.wait(2)
    started = time.monotonic()
    requests.get(platform.url("/me"), headers={"Authorization": "t1"}, timeout=2)
    waited = time.monotonic() - started
    slow.join()

    assert waited > 0.15


def test_background_delivery_runs_after_a_change_and_not_before():
    emulator = Emulator()
    delivered = threading.Event()
    emulator.delivery_wanted()  # not started: tests deliver when they choose
    emulator.start_background_delivery(delivered.set, delay=0.05)

    assert not delivered.wait(0.2)
    emulator.delivery_wanted()
    assert delivered.wait(2)


@pytest.mark.parametrize(
    ("page", "size", "expected"), [(1, 2, [0, 1]), (2, 2, [2, 3]), (3, 2, [4]), (4, 2, [])]
)
def test_page_number_paging_counts_pages_from_one(page, size, expected):
    assert page_by_number(list(range(5)), page, size) == expected


def test_offset_paging_counts_items_from_zero():
    assert page_by_offset(list(range(5)), 3, 10) == [3, 4]
    assert page_by_offset(list(range(5)), 0, 2) == [0, 1]


def test_id_cursor_paging_goes_newest_first_before_and_since_an_id():
    items = [{"id": f"{number:02d}"} for number in range(10)]

    assert [item["id"] for item in page_by_id(items, limit=3)] == ["09", "08", "07"]
    assert [item["id"] for item in page_by_id(items, limit=3, before="07")] == ["06", "05", "04"]
    assert [item["id"] for item in page_by_id(items, limit=5, since="07")] == ["09", "08"]


class Pages(DemoPages):
    title = "Demo <platform>"

    def credentials(self):
        return {"token": "t1"}

    def sections(self):
        return ["<p>one board</p>"]


def test_the_demo_page_serves_the_platform_sections_and_the_demo_credentials():
    emulator = Emulator()
    Pages(emulator)
    with emulator:
        page = requests.get(emulator.url("/"), timeout=2)
        credentials = requests.get(emulator.url("/demo/credentials"), timeout=2)

    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<title>Demo &lt;platform&gt;</title>" in page.text
    assert "<h1>Demo &lt;platform&gt;</h1><p>one board</p>" in page.text
    assert credentials.json() == {"token": "t1"}


def test_demo_main_builds_loads_and_serves_on_the_port_given(monkeypatch):
    served = {}

    def fake_serve(emulator, port, describe):
        served.update(emulator=emulator, port=port, text=describe())
        return 0

    monkeypatch.setattr(framework, "serve", fake_serve)
    loaded = []
    built = []

    def make(demo):
        built.append(demo)
        return Emulator()

    answer = framework.demo_main(
        ["--port", "8123", "--demo"],
        description="Serve a test platform.",
        port=8000,
        make_emulator=make,
        load_demo=loaded.append,
        describe=lambda emulator: f"listening as {type(emulator).__name__}",
    )
    assert answer == 0
    assert built == [True]
    assert loaded == [served["emulator"]]
    assert (served["port"], served["text"]) == (8123, "listening as Emulator")


def test_demo_main_without_demo_loads_nothing_and_uses_the_default_port(monkeypatch):
    monkeypatch.setattr(framework, "serve", lambda emulator, port, describe: port)
    loaded = []
    port = framework.demo_main(
        [],
        description="x",
        port=8000,
        make_emulator=lambda demo: Emulator(),
        load_demo=loaded.append,
        describe=str,
    )
    assert (port, loaded) == (8000, [])


def test_a_restarted_demo_gives_what_it_makes_ids_no_earlier_run_gave(monkeypatch):
    monkeypatch.setattr(framework, "serve", lambda emulator, port, describe: emulator)

    class Platform(Emulator):
        RUNTIME_ID_COUNTERS = ("_ids",)

        def __init__(self):
            super().__init__()
            self._ids = itertools.count(100)
            self.sample = []

    def load(emulator):
        emulator.sample = [next(emulator._ids) for _ in range(3)]

    def run(at_milliseconds):
        monkeypatch.setattr(framework.time, "time_ns", lambda: at_milliseconds * 1_000_000)
        emulator = framework.demo_main(
            ["--demo"],
            description="x",
            port=8000,
            make_emulator=lambda demo: Platform(),
            load_demo=load,
            describe=str,
        )
        return emulator.sample, [next(emulator._ids) for _ in range(5)]

    first_sample, first_made = run(at_milliseconds=1_000)
    second_sample, second_made = run(at_milliseconds=1_010)

    assert first_sample == second_sample == [100, 101, 102], "the sample data keeps its ids"
    assert first_made == [1103, 1104, 1105, 1106, 1107]
    assert not set(first_made) & set(second_made), "an earlier run's ids are never given again"


def test_a_pending_delivery_keeps_what_each_retry_sends():
    delivery = PendingDelivery("h1", "http://127.0.0.1:1/hook", b'{"a": 1}')
    assert (delivery.hook_id, delivery.url, delivery.body) == ("h1", "http://127.0.0.1:1/hook", b'{"a": 1}')
