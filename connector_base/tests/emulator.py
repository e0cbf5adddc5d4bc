"""The framework every platform emulator is built on: a threaded HTTP server on 127.0.0.1.

It carries what is not one platform's: routing (:meth:`Emulator.route` guards a
platform route with the emulator's state lock, its credential check and its
rate-limit headers; :attr:`Emulator.router` adds bare routes), paging styles
(:func:`page_by_number`, :func:`page_by_offset`, :func:`page_by_id`), fault
injection (:attr:`Emulator.faults`: rate limits, 5xx, slow, held, dropped or
garbled answers at a precise moment), signed webhook delivery
(:func:`send_signed_webhook`, in the background with
:meth:`Emulator.start_background_delivery`), the quotas each answer reports
(:attr:`Emulator.quotas`), the request log and counts, the demo page
(:class:`DemoPages`) and serving a demo standalone (:func:`serve`, :func:`demo_main`), and
the webhook call waiting to be made (:class:`PendingDelivery`). A platform
emulator (``connector_<platform>/tests/emulator.py``) holds only its platform's
resources and answers.
"""

import argparse
import base64
import hashlib
import hmac
import itertools
import json
import logging
import re
import socket
import sys
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from email import policy
from email.parser import BytesParser
from functools import cached_property
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

import requests

_logger = logging.getLogger(__name__)

MALFORMED_JSON = b'{"id": "truncated'


class EmulatorHTTPError(Exception):
    """Raise it anywhere under a handler to answer an error without passing a Response back up."""

    def __init__(self, status, body=None, headers=None):
        super().__init__(status)
        self.response = Response(status, body if body is not None else _error_body(status), headers)


def _error_body(status, **extra):
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:  # platform-specific statuses such as Podio's 420
        phrase = "Error"
    return {"error": phrase, "status": status, **extra}


class Request:
    """What a handler sees of one HTTP request; bodies are parsed only when asked for.

    ``params`` holds the path parameters and ``route`` the matched pattern (None when unrouted).
    """

    def __init__(self, method, path, query, headers, body, client_port):
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.client_port = client_port
        self.params = {}
        self.route = None
        self.caller = None  # what the emulator's ``authenticate`` returned, on guarded routes

    @property
    def content_type(self):
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    @cached_property
    def json(self):
        if not self.body or "json" not in self.content_type:
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            raise EmulatorHTTPError(400, _error_body(400, message="request body is not valid JSON")) from None

    @cached_property
    def form(self):
        if self.content_type != "application/x-www-form-urlencoded":
            return {}
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True))

    @cached_property
    def multipart(self):
        """The parts of a ``multipart/form-data`` body (media uploads), ``{name: Part}``;
        empty for any other body. A body that is not the multipart it announces answers 400."""
        if self.content_type != "multipart/form-data":
            return {}
        head = f"Content-Type: {self.headers.get('Content-Type')}\r\n\r\n".encode()
        message = BytesParser(policy=policy.HTTP).parsebytes(head + (self.body or b""))
        if not message.is_multipart() or message.defects:
            raise EmulatorHTTPError(
                400, _error_body(400, message="request body is not valid multipart/form-data")
            )
        parts = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name:
                parts[name] = Part(
                    name, part.get_filename(), part.get_content_type(), part.get_payload(decode=True)
                )
        return parts


class Part:
    """One part of a multipart body: its name, file name (None for a text part), type and bytes."""

    def __init__(self, name, filename, content_type, content):
        self.name = name
        self.filename = filename
        self.content_type = content_type
        self.content = content or b""

    @property
    def text(self):
        return self.content.decode()


class Response:
    """An answer: ``bytes``/``str`` bodies are sent as they are, anything else as JSON."""

    def __init__(self, status=200, body=None, headers=None):
        self.status = status
        self.headers = dict(headers or {})
        if body is None:
            self.body = b""
        elif isinstance(body, bytes | str):
            self.body = body.encode() if isinstance(body, str) else body
            self.headers.setdefault("Content-Type", "text/plain; charset=utf-8")
        else:
            self.body = json.dumps(body).encode()
            self.headers.setdefault("Content-Type", "application/json")


class Route:
    def __init__(self, method, pattern, handler, guarded=False):
        self.method = method.upper()
        self.pattern = pattern
        self.handler = handler
        # A guarded route runs under the state lock, after the credential check, and reports quotas.
        self.guarded = guarded
        pieces = re.split(r"\{(\w+)\}", pattern)
        # Even pieces are literal text, odd pieces are parameter names.
        regex = "".join(
            re.escape(piece) if index % 2 == 0 else f"(?P<{piece}>[^/]+)"
            for index, piece in enumerate(pieces)
        )
        self._regex = re.compile(f"^{regex}$")

    def match(self, path):
        found = self._regex.match(path)
        return None if found is None else {name: unquote(value) for name, value in found.groupdict().items()}


class Router:
    """Maps method + path pattern (``/1/boards/{board_id}``) to a handler."""

    def __init__(self):
        self._routes = []

    def add(self, method, pattern, handler, *, guarded=False):
        route = Route(method, pattern, handler, guarded)
        self._routes.append(route)
        return route

    def resolve(self, method, path):
        """Return ``(route, params)``; raise the 404 or 405 a real API would answer."""
        allowed = []
        for wanted in (method, "GET") if method == "HEAD" else (method,):
            for route in self._routes:
                params = route.match(path)
                if params is None:
                    continue
                if route.method == wanted:
                    return route, params
                allowed.append(route.method)
        if allowed:
            raise EmulatorHTTPError(
                405, _error_body(405, path=path), {"Allow": ", ".join(sorted(set(allowed)))}
            )
        raise EmulatorHTTPError(404, _error_body(404, path=path))


class Quota:
    """A rate-limit quota a platform reports on every answer: ``most`` calls per ``interval_ms``
    for each holder (a token, a key, a member...). ``headers`` names the header of each figure
    the platform sends (``"max"``, ``"remaining"``, ``"interval_ms"``), as its platform notes
    record them; a platform that sends none has no quota here."""

    def __init__(self, name, most, interval_ms, headers):
        self.name = name
        self.most = most
        self.interval_ms = interval_ms
        self.headers = headers

    def figures(self, remaining):
        values = {"max": self.most, "remaining": remaining, "interval_ms": self.interval_ms}
        return {header: str(values[figure]) for figure, header in self.headers.items()}


class Fault:
    def __init__(self, *, status, headers, body, times, route, method, delay, drop, invalid_json, hold=0.0):
        self.status = status
        self.headers = headers
        self.body = body
        self.remaining = times
        self.route = route
        self.method = method
        self.delay = delay
        self.drop = drop
        self.invalid_json = invalid_json
        self.hold = hold
        # Set once a held answer is waiting: the platform acted, the client has not heard yet.
        self.holding = threading.Event()

    def applies_to(self, method, pattern):
        return (self.route is None or self.route == pattern) and (
            self.method is None or self.method == method
        )


class FaultQueue:
    """Scripted failures, consumed in the order they were armed, each for ``times`` requests."""

    def __init__(self):
        self._faults = []
        self._lock = threading.Lock()

    def add(
        self,
        status=None,
        *,
        headers=None,
        body=None,
        times=1,
        route=None,
        method=None,
        delay=0.0,
        drop=False,
        invalid_json=False,
        hold=0.0,
    ):
        """Arm a fault; ``route`` is a registered pattern and ``delay`` may precede any other fault.

        A fault with only a ``delay`` lets the normal handler answer late, which is how
        tests push a client past its read timeout. ``hold`` runs the handler first and
        then keeps its answer that long: the platform has created the object when the
        client gives up or dies (``fault.holding`` is set meanwhile).
        """
        if sum(bool(mode) for mode in (status, drop, invalid_json)) > 1:
            raise ValueError(
                "a fault answers with a status, drops the connection or sends bad JSON, not several"
            )
        if not (status or drop or invalid_json or delay or hold):
            raise ValueError("a fault needs a status, delay, hold, drop or invalid_json")
        if hold and (status or drop or invalid_json):
            raise ValueError("a held answer is the handler's own")
        fault = Fault(
            status=status,
            headers=dict(headers or {}),
            body=body,
            times=times,
            route=route,
            method=method.upper() if method else None,
            delay=delay,
            drop=drop,
            invalid_json=invalid_json,
            hold=hold,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, method, pattern):
        with self._lock:
            for fault in self._faults:
                if fault.applies_to(method, pattern):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    @property
    def pending(self):
        with self._lock:
            return sum(fault.remaining for fault in self._faults)

    def clear(self):
        with self._lock:
            self._faults.clear()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that gave up (read timeout) closes its socket while a delayed answer is pending.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return None
        return super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 keeps connections alive, as real APIs do, so client pooling is exercised.
    protocol_version = "HTTP/1.1"
    # An answer goes out as headers then body: with Nagle's algorithm the body waits for the
    # client's delayed ACK of the headers (~40 ms a request), which no real API adds.
    disable_nagle_algorithm = True

    def _dispatch(self):
        self.server.emulator._serve(self)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _dispatch

    def log_message(self, format, *args):
        """Silence the per-request stderr line; the emulator keeps its own request log."""


class Emulator:
    """A local HTTP server with routing, a request log and fault injection.

    Use it as a context manager or call :meth:`start` / :meth:`stop`.
    """

    # The quotas every answer of a guarded route reports (see :class:`Quota`).
    quotas = ()

    def __init__(self):
        self.router = Router()
        self.faults = FaultQueue()
        # Held while a guarded route answers: the platform's data changes one call at a time.
        self.state = threading.RLock()
        self._log = []
        self._counts = Counter()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = None
        self._thread = None
        self._quota_calls = defaultdict(list)  # (quota name, holder) -> times of its calls in the window
        self._delivery_wanted = None

    # ------------------------------------------------------------------ what a platform provides
    def authenticate(self, request):
        """Check the request's credential on a guarded route; raise :class:`EmulatorHTTPError`
        with the platform's refusal, or return what the handler reads as ``request.caller``."""
        return None

    def quota_holder(self, request, quota):
        """Who the request counts against for ``quota`` (its token, its key...)."""
        return None

    def route(self, method, pattern, handler, *, public=False):
        """Register a platform route: ``handler(request)`` runs under :attr:`state` after
        :meth:`authenticate`, and its answer (a refusal included) reports :attr:`quotas`.
        ``public`` routes (consent pages, token endpoints) skip the credential check."""
        return self.router.add(method, pattern, self._guard(handler, public), guarded=True)

    def _guard(self, handler, public):
        def serve(request):
            with self.state:
                try:
                    if not public:
                        request.caller = self.authenticate(request)
                    result = handler(request)
                except EmulatorHTTPError as error:
                    result = error.response
                response = result if isinstance(result, Response) else Response(200, result)
                if not public:
                    response.headers.update(self._quota_headers(request))
                return response

        return serve

    def _quota_headers(self, request):
        """What is left of each quota after this call, in the platform's headers."""
        now = time.monotonic()
        headers = {}
        for quota in self.quotas:
            calls = self._quota_calls[quota.name, self.quota_holder(request, quota)]
            calls[:] = [moment for moment in calls if moment > now - quota.interval_ms / 1000]
            calls.append(now)
            headers.update(quota.figures(max(quota.most - len(calls), 0)))
        return headers

    def exhausted_quota_headers(self):
        """The quota headers of a refused call (nothing remaining), for an armed 429."""
        return {header: value for quota in self.quotas for header, value in quota.figures(0).items()}

    # ------------------------------------------------------------------ webhooks in the background
    def start_background_delivery(self, deliver, delay):
        """Call ``deliver()`` ``delay`` seconds after each :meth:`delivery_wanted` (the demo's
        mode): a platform calls back shortly after a change, never inside the call that made it."""
        self._delivery_wanted = threading.Event()

        def loop():
            while True:
                self._delivery_wanted.wait()
                self._delivery_wanted.clear()
                time.sleep(delay)
                deliver()

        threading.Thread(target=loop, name=f"{type(self).__name__}-webhooks", daemon=True).start()

    def start_concurrent_delivery(self, take_pending, deliver, *, senders, delay):
        """Like :meth:`start_background_delivery`, each delivery going out on its own,
        ``senders`` at a time: for platforms whose notes do not say they wait for one answer
        before sending the next, so a slow answer does not hold back the deliveries after it.
        ``take_pending()`` empties the outbox and returns its deliveries; ``deliver(delivery)``
        sends one."""
        pool = ThreadPoolExecutor(senders, thread_name_prefix=f"{type(self).__name__}-delivery")

        def deliver_pending():
            for delivery in take_pending():
                pool.submit(deliver, delivery)

        self.start_background_delivery(deliver_pending, delay=delay)

    def delivery_wanted(self):
        """Something changed that webhooks should hear of (nothing happens until
        :meth:`start_background_delivery`: tests deliver when they choose)."""
        if self._delivery_wanted is not None:
            self._delivery_wanted.set()

    # ------------------------------------------------------------------ serving

    def start(self, port=0):
        """Serve on 127.0.0.1; ``port`` 0 picks a free one (tests), a fixed one serves a demo."""
        self._stopping.clear()
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.emulator = self
        # A short poll interval keeps stop() (and so every test teardown) fast.
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), name=type(self).__name__, daemon=True
        )
        self._thread.start()
        return self

    def stop(self):
        if self._server is None:
            return
        # Wakes handlers sleeping in a delay fault so they do not outlive the test.
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self._server = self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def base_url(self):
        if self._server is None:
            raise RuntimeError("the emulator is not running")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def url(self, path):
        return self.base_url + path

    @property
    def requests(self):
        """Every request received, faulted ones included, oldest first."""
        with self._lock:
            return list(self._log)

    def count(self, route=None, method=None):
        """Requests received for a route pattern (and method), or in total."""
        with self._lock:
            return sum(
                n
                for (logged_method, pattern), n in self._counts.items()
                if (route is None or pattern == route) and (method is None or logged_method == method.upper())
            )

    def reset(self):
        """Forget received requests; armed faults stay (see ``faults.clear()``)."""
        with self._lock:
            self._log.clear()
            self._counts.clear()

    def _serve(self, handler):
        url = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        request = Request(
            method=handler.command,
            path=url.path,
            query=dict(parse_qsl(url.query, keep_blank_values=True)),
            headers=requests.structures.CaseInsensitiveDict(handler.headers.items()),
            body=handler.rfile.read(length) if length else b"",
            client_port=handler.client_address[1],
        )
        route = routing_error = None
        try:
            route, request.params = self.router.resolve(request.method, request.path)
            request.route = route.pattern
        except EmulatorHTTPError as error:
            routing_error = error.response
        with self._lock:
            self._log.append(request)
            self._counts[request.method, request.route] += 1

        fault = self.faults.take(request.method, request.route)
        if fault is not None and fault.delay:
            self._stopping.wait(fault.delay)
        if fault is not None and fault.drop:
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault is not None and fault.invalid_json:
            response = Response(200, MALFORMED_JSON, {"Content-Type": "application/json"})
        elif fault is not None and fault.status:
            body = fault.body if fault.body is not None else _error_body(fault.status, injected=True)
            response = Response(fault.status, body, fault.headers)
        elif route is None:
            response = routing_error
        else:
            response = self._call(route, request)
        if fault is not None and fault.hold:
            fault.holding.set()
            self._stopping.wait(fault.hold)
        self._write(handler, response, head=request.method == "HEAD")

    @staticmethod
    def _call(route, request):
        try:
            result = route.handler(request)
        except EmulatorHTTPError as error:
            return error.response
        except Exception as error:
            _logger.exception("emulator handler for %s %s failed", route.method, route.pattern)
            return Response(500, _error_body(500, message=repr(error)))
        return result if isinstance(result, Response) else Response(200, result)

    @staticmethod
    def _write(handler, response, head):
        handler.send_response(response.status)
        for name, value in response.headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(response.body)))
        handler.end_headers()
        if not head:
            handler.wfile.write(response.body)


def send_signed_webhook(url, body, *, signature_header, sign=None, signature=None, headers=None, timeout=5.0):
    """POST ``body`` to a callback URL the way a platform delivers a webhook.

    ``sign(raw_body, url)`` returns the header value, so each platform emulator
    plugs in its own scheme; ``signature`` sends a value already computed (a
    redelivery, a forged one) instead. The receiver's response is returned.
    """
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    signed = signature if signature is not None else sign(raw, url)
    all_headers = {"Content-Type": "application/json", **(headers or {}), signature_header: signed}
    return requests.post(url, data=raw, headers=all_headers, timeout=timeout)


def hmac_sha256_hex(secret):
    """Signer: hex HMAC-SHA256 of the body (Smartsheet-style)."""
    return lambda raw, url: hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def hmac_sha1_base64_body_and_url(secret):
    """Signer: base64 HMAC-SHA1 of body + callback URL (Trello-style)."""
    return lambda raw, url: base64.b64encode(
        hmac.new(secret.encode(), raw + url.encode(), hashlib.sha1).digest()
    ).decode()


# ---------------------------------------------------------------------- paging styles
def page_by_number(items, page, size):
    """Page ``page`` (counted from 1) of ``size`` items: page-number paging."""
    return items[(page - 1) * size : page * size]


def page_by_offset(items, offset, limit):
    """``limit`` items from ``offset`` (counted from 0): offset paging."""
    return items[offset : offset + limit]


def page_by_id(items, *, limit, before=None, since=None, key=lambda item: item["id"]):
    """Newest first by id, only ids below ``before`` / above ``since``, at most ``limit``: the
    cursor paging of platforms whose ids grow with time."""
    found = sorted(items, key=key, reverse=True)
    if before:
        found = [item for item in found if key(item) < before]
    if since:
        found = [item for item in found if key(item) > since]
    return found[:limit]


# ---------------------------------------------------------------------- the demo
def html_page(title, *parts):
    """A plain HTML page titled ``title`` (a demo page); ``parts`` are HTML already escaped."""
    head = f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(title)}</title></head>"
    body = f"<body style='font-family: sans-serif'><h1>{escape(title)}</h1>{''.join(parts)}</body></html>"
    return Response(200, head + body, {"Content-Type": "text/html; charset=utf-8"})


class DemoPages:
    """What a person uses in a demo instead of the platform's web app: a page at ``/`` and the
    demo backend's values at ``/demo/credentials`` (for `make run` to configure Odoo with).

    A platform's subclass gives :attr:`title`, :meth:`credentials` and :meth:`sections` (the
    page's HTML, read under the emulator's state lock), and adds the routes its forms post to.
    """

    title = "Emulator"

    def __init__(self, emulator):
        self.emulator = emulator
        emulator.router.add("GET", "/", self.home)
        emulator.router.add("GET", "/demo/credentials", lambda request: self.credentials())

    def credentials(self):
        raise NotImplementedError

    def sections(self):
        raise NotImplementedError

    def home(self, request):
        with self.emulator.state:
            return html_page(self.title, *self.sections())


class PendingDelivery:
    """One webhook call waiting to be made: the same ``body`` (the bytes, or the form) is sent
    to ``url`` on every retry, for the platform's ``hook_id``."""

    def __init__(self, hook_id, url, body):
        self.hook_id = hook_id
        self.url = url
        self.body = body


def demo_main(argv, *, description, port, make_emulator, load_demo, describe):
    """The command line of a platform emulator: ``--port`` (default ``port``) and ``--demo``.

    ``make_emulator(demo)`` builds the emulator; with ``--demo``, ``load_demo(emulator)`` adds
    the sample data and the demo page (and starts delivering webhooks); ``describe(emulator)``
    says, once it listens, where it is and the demo backend's values (see :func:`serve`)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--demo", action="store_true", help="load the sample data and serve the demo page")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    emulator = make_emulator(args.demo)
    if args.demo:
        load_demo(emulator)
        # The sample data has the same ids every run, as Odoo's database remembers them; what
        # is made from now on (a comment received, a contact added) gets ids no earlier run
        # gave, or Odoo would take it for the object an earlier run made under that id.
        for name in getattr(emulator, "RUNTIME_ID_COUNTERS", ()):
            setattr(emulator, name, ids_no_earlier_run_gave(getattr(emulator, name)))
    return serve(emulator, args.port, lambda: describe(emulator))


def ids_no_earlier_run_gave(counter):
    """``counter`` (an ``itertools.count`` of step 1) moved on by the milliseconds since the
    epoch: a restarted emulator starts past every id an earlier run handed out, unless that
    run made more objects than it had been running milliseconds."""
    return itertools.count(next(counter) + time.time_ns() // 1_000_000)


def serve(emulator, port, describe):
    """Serve ``emulator`` on ``port`` until interrupted; ``describe()`` says, once it listens,
    where it is and what a person needs to use it."""
    emulator.start(port=port)
    sys.stdout.write(f"{describe()}\nCtrl+C stops it.\n")
    sys.stdout.flush()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        emulator.stop()
    return 0
