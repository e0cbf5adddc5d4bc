import io

import pytest

from odoo.addons.connector_base.lib import webhook
from odoo.addons.connector_base.lib.webhook import Challenge, MalformedBody

SMARTSHEET_CHALLENGE = Challenge(
    request_header="Smartsheet-Hook-Challenge",
    request_body_key="challenge",
    response_header="Smartsheet-Hook-Response",
    response_body_key="smartsheetHookResponse",
)


class TrickleStream:
    """A stream that hands out a few bytes per read and records how much was asked for."""

    def __init__(self, data, step=7):
        self._data = io.BytesIO(data)
        self.step = step
        self.consumed = 0

    def read(self, size=-1):
        chunk = self._data.read(min(self.step, size) if size >= 0 else self.step)
        self.consumed += len(chunk)
        return chunk


def environ_for(body, *, content_length=True, chunked=False):
    environ = {"wsgi.input": TrickleStream(body, step=4096)}
    if content_length:
        environ["CONTENT_LENGTH"] = str(len(body))
    if chunked:
        environ["wsgi.input_terminated"] = True
    return environ


# ---------------------------------------------------------------- reading


def test_read_limited_returns_a_body_within_the_cap():
    assert webhook.read_limited(TrickleStream(b"x" * 100), 100, 100) == b"x" * 100


def test_a_declared_length_over_the_cap_is_refused_without_reading():
    stream = TrickleStream(b"x" * 200)

    assert webhook.read_limited(stream, 200, 100) is None
    assert stream.consumed == 0


def test_an_undeclared_length_is_refused_while_reading_just_past_the_cap():
    stream = TrickleStream(b"x" * 10_000)

    assert webhook.read_limited(stream, None, 100) is None
    assert stream.consumed == 101


def test_buffering_keeps_the_body_and_replays_it_to_later_readers():
    body = b"type=item.update&item_id=12"
    environ = environ_for(body)

    buffered = webhook.buffer_wsgi_body(environ, 1024)

    assert buffered == webhook.BufferedBody(body)
    assert environ["wsgi.input"].read() == body
    assert environ["CONTENT_LENGTH"] == str(len(body))


def test_buffering_twice_returns_the_first_read():
    environ = environ_for(b'{"id": 1}')
    first = webhook.buffer_wsgi_body(environ, 1024)

    assert webhook.buffer_wsgi_body(environ, 1024) is first


def test_buffering_never_reads_past_the_declared_length():
    # Keep-alive: whatever follows the declared body belongs to the next request.
    environ = {"wsgi.input": io.BytesIO(b'{"id": 1}GET / HTTP/1.1'), "CONTENT_LENGTH": "9"}

    assert webhook.buffer_wsgi_body(environ, 1024).raw == b'{"id": 1}'


def test_a_chunked_body_is_read_up_to_the_cap():
    environ = environ_for(b"x" * 5000, content_length=False, chunked=True)

    assert webhook.buffer_wsgi_body(environ, 1000).too_large
    assert environ["wsgi.input"].read() == b""
    assert "wsgi.input_terminated" not in environ


def test_a_body_without_length_or_end_marker_is_not_read():
    environ = environ_for(b"x" * 10, content_length=False)

    assert webhook.buffer_wsgi_body(environ, 1000).raw == b""


def test_a_declared_length_over_the_cap_is_marked_too_large():
    environ = environ_for(b"x" * 2000)

    assert webhook.buffer_wsgi_body(environ, 1000).too_large
    assert environ["CONTENT_LENGTH"] == "0"


# ---------------------------------------------------------------- parsing


def test_json_objects_are_parsed():
    assert webhook.parse_body(b'{"action": {"id": "a1"}}', "application/json; charset=utf-8") == {
        "action": {"id": "a1"}
    }


def test_json_is_assumed_when_no_content_type_is_sent():
    assert webhook.parse_body(b'{"id": 3}', None) == {"id": 3}


def test_forms_are_parsed_podio_style():
    payload = webhook.parse_body(
        b"type=item.update&hook_id=4526731&item_id=2781234567&external_id=",
        "application/x-www-form-urlencoded",
    )

    assert payload == {
        "type": "item.update",
        "hook_id": "4526731",
        "item_id": "2781234567",
        "external_id": "",
    }


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        (b"", "application/json"),
        (b'{"id": "truncated', "application/json"),
        (b"[1, 2]", "application/json"),
        (b'"text"', "application/json"),
        (b"\xff\xfe{}", "application/json"),
        (b"[" * 100_000 + b"]" * 100_000, "application/json"),
        (b"a=1&&b", "application/x-www-form-urlencoded"),
        (b"no equals sign", "application/x-www-form-urlencoded"),
    ],
)
def test_malformed_bodies_are_refused(raw, content_type):
    with pytest.raises(MalformedBody):
        webhook.parse_body(raw, content_type)


# ---------------------------------------------------------------- handshakes


def test_a_smartsheet_style_challenge_is_read_from_the_header_and_echoed_both_ways():
    headers = {"smartsheet-hook-challenge": "d9c2a7e0-11aa"}

    value = SMARTSHEET_CHALLENGE.value(headers, {"webhookId": 1})

    assert value == "d9c2a7e0-11aa"
    answer = SMARTSHEET_CHALLENGE.answer(value)
    assert answer.status == 200
    assert answer.headers == {"Smartsheet-Hook-Response": value}
    assert answer.body == {"smartsheetHookResponse": value}


def test_a_challenge_only_in_the_body_is_found():
    assert SMARTSHEET_CHALLENGE.value({}, {"challenge": "abc", "webhookId": 1}) == "abc"


def test_an_event_is_not_a_challenge():
    assert SMARTSHEET_CHALLENGE.value({}, {"nonce": "n1", "events": []}) is None


@pytest.mark.parametrize("value", ["abc\r\nSet-Cookie: x=1", "x" * 600, ["a"], "with space"])
def test_a_challenge_that_cannot_be_echoed_safely_is_malformed(value):
    with pytest.raises(MalformedBody):
        SMARTSHEET_CHALLENGE.value({}, {"challenge": value})


def test_a_header_only_challenge_answers_without_body():
    challenge = Challenge(request_header="X-Hook-Secret", response_header="X-Hook-Secret")

    assert challenge.answer("s3") == webhook.Answer(200, "", {"X-Hook-Secret": "s3"})


def test_header_lookup_ignores_case_on_plain_dicts():
    assert webhook.header_value({"X-Trello-Webhook": "sig"}, "x-trello-webhook") == "sig"
    assert webhook.header_value({}, "x-trello-webhook") is None


# ---------------------------------------------------------------- answers and payloads


def test_retry_after_is_rounded_up_to_whole_seconds():
    assert webhook.rate_limited(0.2).headers == {"Retry-After": "1"}
    assert webhook.rate_limited(12.01).headers == {"Retry-After": "13"}
    assert webhook.rate_limited(12.01).status == 429


def test_a_429_replacing_an_answer_keeps_its_connection_close():
    limited = webhook.rate_limited(3, webhook.TOO_LARGE.headers)
    assert limited.headers == {"Connection": "close", "Retry-After": "3"}


# ---------------------------------------------------------------- budgets


def test_an_ipv4_sender_has_its_own_slot_and_keeps_it():
    assert webhook.source_slot("203.0.113.7") == webhook.source_slot("203.0.113.7")
    assert 0 <= webhook.source_slot("203.0.113.7") < webhook.UNVERIFIED_SLOTS


def test_ipv6_senders_are_counted_by_their_64_prefix():
    assert webhook.source_slot("2001:db8:1:2::1") == webhook.source_slot("2001:db8:1:2:ffff::9")


def test_addresses_spread_over_the_slots():
    slots = {webhook.source_slot(f"198.51.100.{host}") for host in range(200)}
    assert len(slots) > 150


def test_an_unparsable_address_still_gets_a_slot():
    assert 0 <= webhook.source_slot(None) < webhook.UNVERIFIED_SLOTS
    assert 0 <= webhook.source_slot("unix-socket") < webhook.UNVERIFIED_SLOTS


def test_the_default_signed_budget_takes_a_thousand_delivery_burst_at_intake_speed():
    deliveries, seconds = webhook.DEFAULT_SIGNED_BUDGET
    # Refilled at about what intake stores per second, deep enough for a large burst.
    assert 100 <= deliveries / seconds <= 200
    assert deliveries >= 1000


def test_secret_keys_are_stripped_from_stored_events_at_any_depth():
    event = {
        "action": {"id": "a1", "data": {"token": "t", "card": {"name": "Card"}}},
        "events": [{"id": 5, "api_key": "k"}],
        "password": "p",
        "webhookId": 9,
    }

    stripped = webhook.strip_secrets(event)

    assert stripped == {
        "action": {"id": "a1", "data": {"card": {"name": "Card"}}},
        "events": [{"id": 5}],
        "webhookId": 9,
    }
    assert event["action"]["data"]["token"] == "t"  # the original is left untouched
