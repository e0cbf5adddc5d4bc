"""The ORM-free decisions of webhook intake: reading, parsing, handshakes, answers.

The Odoo controller (``controllers/webhook.py``) strings these together; they
take plain values (a WSGI environ, bytes, a header mapping) so each decision
is tested without a server.
"""

import hashlib
import io
import ipaddress
import json
import math
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from .redact import is_secret_name

# Where the buffered body waits in the WSGI environ between ir.http and the controller.
ENVIRON_KEY = "connector_base.webhook_body"
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
_READ_CHUNK = 64 * 1024
# A challenge is echoed in a response header: printable ASCII only, never CR/LF.
_CHALLENGE_VALUE = re.compile(r"[\x21-\x7e]{1,512}")

# Signed deliveries accepted per backend, as (deliveries, seconds), before answering 429.
# Intake stores about 150 deliveries a second (make bench: ~120-150 on two shared cores),
# so the budget refills at that rate; its depth, 20 s of intake, takes a platform's burst
# at once (a Trello bulk move sends one delivery per card: a few thousand for a full
# list) while the last delivery of a full burst still waits less than Trello's 30 s
# response timeout. Past it, senders are told when to come back.
DEFAULT_SIGNED_BUDGET = (3000, 20)
# Deliveries that prove nothing (bad signature, malformed, oversized, unknown backend,
# probes, handshakes), counted per source address and never against the signed budget.
# A platform sends a handful of them when a webhook is set up; a flood gets 429.
DEFAULT_UNVERIFIED_BUDGET = (120, 60)
# Unverified deliveries are counted in this many shared slots, so that no sender can
# make the count (one small file per slot) grow without bound.
UNVERIFIED_SLOTS = 1024


class MalformedBody(ValueError):
    """The body is not the JSON object or form the platform sends."""


@dataclass(frozen=True)
class BufferedBody:
    raw: bytes = b""
    too_large: bool = False


@dataclass(frozen=True)
class Answer:
    """What to send back: ``body`` is text, or a dict sent as JSON."""

    status: int = 200
    body: str | dict = ""
    headers: dict = field(default_factory=dict)


ACCEPTED = Answer(200, "accepted")
DUPLICATE = Answer(200, "duplicate")
PROBE_OK = Answer(200, "")
NOT_FOUND = Answer(404, "not found")
MALFORMED = Answer(400, "malformed body")
BAD_SIGNATURE = Answer(403, "invalid signature")
# The socket may still hold the unread rest of the body: do not reuse the connection.
TOO_LARGE = Answer(413, "payload too large", {"Connection": "close"})


def rate_limited(retry_after, headers=None):
    """429 telling when to come back; ``headers`` of the answer it replaces are kept
    (``Connection: close`` after a body left unread)."""
    return Answer(
        429, "rate limited", {**(headers or {}), "Retry-After": str(max(1, math.ceil(retry_after)))}
    )


def source_slot(address):
    """The slot counting the unverified deliveries of a source address.

    IPv6 senders are counted by /64: one host commonly holds a whole /64, so
    single addresses would not hold it back.
    """
    try:
        parsed = ipaddress.ip_address(address or "")
    except ValueError:
        key = str(address)
    else:
        key = str(ipaddress.ip_network(f"{parsed}/64", strict=False)) if parsed.version == 6 else str(parsed)
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") % UNVERIFIED_SLOTS


def read_limited(stream, declared_length, max_bytes):
    """Read a whole body, refusing it past ``max_bytes``.

    Refused at once when the declared length (Content-Length) is already too
    big, otherwise while reading: a chunked body declares no length.
    Returns ``None`` when the body is too large.
    """
    if declared_length is not None and declared_length > max_bytes:
        return None
    chunks, size = [], 0
    while True:
        chunk = stream.read(min(_READ_CHUNK, max_bytes + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            return None


def buffer_wsgi_body(environ, max_bytes):
    """Read the request body once, capped, and keep it in ``environ[ENVIRON_KEY]``.

    Must run before anything parses the form: the input is replaced by the
    buffered bytes, so later readers (Odoo's form parsing) see the same body
    and never read the socket again. Calling it again (a retried request)
    returns what the first call read.
    """
    if ENVIRON_KEY in environ:
        return environ[ENVIRON_KEY]
    try:
        declared = int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        declared = None
    if declared is not None:
        stream = _Bounded(environ["wsgi.input"], declared)
    elif environ.get("wsgi.input_terminated"):
        # Chunked: the server ends the stream; only reading tells the size.
        stream = environ["wsgi.input"]
    else:
        # No length and no end marker: reading could block forever.
        stream = io.BytesIO()
    raw = read_limited(stream, declared, max_bytes)
    body = BufferedBody(too_large=True) if raw is None else BufferedBody(raw)
    environ[ENVIRON_KEY] = body
    environ["wsgi.input"] = io.BytesIO(body.raw)
    environ["CONTENT_LENGTH"] = str(len(body.raw))
    environ.pop("wsgi.input_terminated", None)
    return body


class _Bounded:
    """Never reads past the declared length: the connection may carry the next request."""

    def __init__(self, stream, length):
        self._stream = stream
        self._left = length

    def read(self, size):
        if self._left <= 0:
            return b""
        chunk = self._stream.read(min(size, self._left))
        self._left -= len(chunk)
        return chunk


def parse_body(raw, content_type):
    """The event as a dict: a JSON object, or a form (``application/x-www-form-urlencoded``).

    Raises :class:`MalformedBody` for anything else, an empty body included.
    """
    if not raw:
        raise MalformedBody("empty body")
    mimetype = (content_type or "").split(";")[0].strip().lower()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedBody("body is not UTF-8") from None
    if mimetype == "application/x-www-form-urlencoded":
        try:
            return dict(parse_qsl(text, keep_blank_values=True, strict_parsing=True))
        except ValueError:
            raise MalformedBody("body is not a valid form") from None
    try:
        payload = json.loads(text)
    except (ValueError, RecursionError):
        raise MalformedBody("body is not valid JSON") from None
    if not isinstance(payload, dict):
        raise MalformedBody("a webhook event is a JSON object")
    return payload


def header_value(headers, name):
    """A header from any mapping, whatever the letter case of its keys."""
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((item for key, item in headers.items() if key.lower() == lowered), None)
    return value


@dataclass(frozen=True)
class Challenge:
    """Where a platform puts a verification challenge and where it wants the echo.

    Smartsheet, for instance, sends ``Smartsheet-Hook-Challenge`` and a body
    ``{"challenge": ...}`` and accepts the value back in the
    ``Smartsheet-Hook-Response`` header or as ``{"smartsheetHookResponse": ...}``:
    both are sent.
    """

    request_header: str | None = None
    request_body_key: str | None = None
    response_header: str | None = None
    response_body_key: str | None = None

    def value(self, headers, payload):
        """The challenge of this delivery, or None when it is not a challenge.

        Raises :class:`MalformedBody` for a value that cannot be echoed safely.
        """
        value = self.request_header and header_value(headers, self.request_header)
        if not value and self.request_body_key and isinstance(payload, dict):
            value = payload.get(self.request_body_key)
        if not value:
            return None
        if not isinstance(value, str) or not _CHALLENGE_VALUE.fullmatch(value):
            raise MalformedBody("challenge value is not a short printable token")
        return value

    def answer(self, value):
        headers = {self.response_header: value} if self.response_header else {}
        body = {self.response_body_key: value} if self.response_body_key else ""
        return Answer(200, body, headers)


def strip_secrets(value):
    """A copy of a parsed event without the keys that name secrets (tokens, passwords...).

    Job payloads are shown in the UI and kept for weeks; the job re-reads what
    it needs from the platform anyway.
    """
    if isinstance(value, dict):
        return {key: strip_secrets(item) for key, item in value.items() if not is_secret_name(key)}
    if isinstance(value, list):
        return [strip_secrets(item) for item in value]
    return value
