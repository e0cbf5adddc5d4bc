"""HTTP client base that every platform client subclasses.

It turns transport failures and platform answers into the typed errors of
:mod:`.errors`, so the job queue can choose between "retry later" and "a
person must act", and it keeps every call short: a long wait demanded by the
platform is handed back to the queue as ``retry_after`` instead of being
slept in a worker.
"""

import contextlib
import logging
import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .errors import (
    AuthenticationError,
    ConfigurationError,
    NetworkError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    ValidationError,
)
from .rate_limit import SlidingWindow, TokenBucket, burst_wait, get_bucket
from .redact import redact

_logger = logging.getLogger(__name__)

# Secrets of the call in progress on this thread, for the urllib3 log filter below.
_in_flight = threading.local()

# Error payload keys used by the platforms (Smartsheet errorCode/message, Podio
# error/error_description, Trello message/error), most specific first.
_CODE_KEYS = ("errorCode", "error_code", "code", "error")
_MESSAGE_KEYS = ("message", "error_description", "error_message", "detail", "error")
_MAX_BODY_IN_MESSAGE = 300
# What to do after each kind of refusal (the Odoo side says the same, translated).
ADVICE = {
    AuthenticationError: "check the credentials, or connect the backend again",
    PermissionDeniedError: "the connected account needs access to this object on the platform",
    NotFoundError: "the object was deleted, or the connected account cannot see it",
    RateLimitedError: "too many calls; the job waits and tries again by itself",
    ServerError: "a problem on the platform's side; the job tries again by itself",
    ValidationError: "check the values sent and the field mapping",
}


class InvalidResponseError(ServerError):
    """A 2xx answer whose body is not the JSON it announces.

    Retryable: a truncated or garbled body comes from a dropped stream, a proxy
    or a platform incident, all of which clear on their own; if it persists the
    job exhausts its retries and fails where a person sees it.
    """


class NotReadyError(ServerError):
    """The platform accepted the request but has no result yet (Sprout's 202) and it did not
    come within the call's wait: retryable, the job asks again after ``retry_after``."""


class _RedactUrllib3Records(logging.Filter):
    """urllib3 logs request URLs at DEBUG, query-string credentials included (Trello key/token)."""

    def filter(self, record):
        record.msg = redact(record.getMessage(), getattr(_in_flight, "secrets", ()))
        record.args = ()
        return True


for _name in ("urllib3.connectionpool", "urllib3.util.retry"):
    logging.getLogger(_name).addFilter(_RedactUrllib3Records())


def parse_retry_after(value, now=None):
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP date); None if unusable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


# A successful answer's JSON not decoded (yet): a sentinel, since JSON's null is None.
NOT_DECODED = object()


class PendingCall:
    """A call sent in the background (``HttpClient.request(..., in_background=True)``):
    ``result()`` waits for its answer and concludes it on the calling thread (a refresh,
    a retry, the typed error), as :meth:`HttpClient.request` would have."""

    def __init__(self, conclude):
        self._conclude = conclude

    def result(self):
        return self._conclude()


# Calls travelling in the background at once, process-wide: one per job reading ahead.
BACKGROUND_CALLS = 8
_pools = {}
_pools_lock = threading.Lock()


def _background_pool():
    """The threads that carry calls sent in the background, shared by the process's clients
    (each reading ahead holds one call at a time). One per process: a prefork worker forked
    from a process that had one makes its own (the threads do not survive a fork)."""
    with _pools_lock:
        pid = os.getpid()
        if pid not in _pools:
            _pools.clear()
            _pools[pid] = ThreadPoolExecutor(
                max_workers=BACKGROUND_CALLS, thread_name_prefix="connector-http"
            )
        return _pools[pid]


class HttpClient:
    """Base of the platform clients: one pooled session, typed errors, bounded retries.

    Subclasses set :attr:`platform`, usually :attr:`rate_limit`, and override
    the ``_auth_*`` hooks (and, where the platform needs it, ``_refresh_token``,
    ``_token_expires_soon``, ``_parse_error``, ``_retry_after_from_body``).
    """

    platform = "HTTP"
    user_agent = "odoo-connector"
    # Statuses that mean "slow down" (Podio adds 420).
    rate_limit_statuses = frozenset({429})
    # (requests, seconds) allowed per rate-limit key, e.g. (100, 10) for Trello; None: no client-side limit.
    rate_limit = None
    # True: :attr:`rate_limit` counts the requests of any window of its seconds (a
    # ``SlidingWindow``: calls go at once until the window is full), and a call waits up to one
    # window for a slot: handed back to the queue, a long paged read would start over and
    # spend the window again.
    rate_limit_window = False
    # Quotas the platform counts on several holders at once, {scope: (requests, seconds)}, e.g.
    # Trello's {"token": (100, 10), "key": (300, 10)}; ``rate_limit_holders`` names each scope's holder.
    scoped_rate_limits = {}
    # In-call retries after a rate-limit answer; each also has to fit in max_in_call_wait.
    max_rate_limit_retries = 2
    # Answers urllib3 sends again within the call, and on which methods (see _retry_policy).
    in_call_retry_statuses = frozenset({502, 503, 504})
    in_call_retry_methods = Retry.DEFAULT_ALLOWED_METHODS
    # Statuses meaning "accepted, result not ready: ask again" (Sprout's 202); empty: every 2xx is a result.
    not_ready_statuses = frozenset()
    # In-call repeats of a not-ready request; each wait also has to fit in max_in_call_wait.
    max_not_ready_retries = 3
    # Seconds to wait before asking again when the platform does not say (Retry-After, body).
    not_ready_default_wait = 1.0

    # Pacing by the platform's own count (Podio's X-Rate-Limit-Remaining): once an answer says at
    # most ``quota_reserve`` calls are left, the next call is handed back to the queue for
    # ``quota_pause`` seconds instead of spending the last ones (see _check_quota_headroom).
    quota_remaining_header = None
    quota_reserve = 0
    quota_pause = 60.0

    def __init__(
        self,
        base_url,
        *,
        connect_timeout=5.0,
        read_timeout=30.0,
        retries=2,
        backoff_factor=0.3,
        max_in_call_wait=5.0,
        rate_limit_key=None,
        rate_limit_dir=None,
        pool_maxsize=10,
        rate_limit_holders=None,
    ):
        """``rate_limit_key`` names the quota holder (backend id, hashed token) for :attr:`rate_limit`;
        ``rate_limit_holders`` ({scope: holder}) those of :attr:`scoped_rate_limits`."""
        self.base_url = base_url.rstrip("/")
        self.timeout = (connect_timeout, read_timeout)
        self.max_in_call_wait = max_in_call_wait
        self.api_calls = 0
        self.quota_remaining = None  # the platform's last count (quota_remaining_header)
        self.rate_limiter = None
        if self.rate_limit and rate_limit_key is not None:
            capacity, period = self.rate_limit
            self.rate_limiter = get_bucket(
                f"{self.platform}:{rate_limit_key}",
                capacity,
                period,
                directory=rate_limit_dir,
                max_wait=max(max_in_call_wait, period) if self.rate_limit_window else max_in_call_wait,
                kind=SlidingWindow if self.rate_limit_window else TokenBucket,
            )
        # Every call draws from each of these too: one exhausted quota is enough to wait.
        self.scoped_rate_limiters = [
            get_bucket(
                f"{self.platform}:{scope}:{holder}",
                *self.scoped_rate_limits[scope],
                directory=rate_limit_dir,
                max_wait=max_in_call_wait,
            )
            for scope, holder in (rate_limit_holders or {}).items()
        ]
        self._lock = threading.Lock()
        self._refresh_lock = threading.RLock()
        self._refreshing = False
        self.session = requests.Session()
        self.session.headers.update({"Accept": "application/json", "User-Agent": self.user_agent})
        adapter = HTTPAdapter(
            pool_maxsize=pool_maxsize, max_retries=self._retry_policy(retries, backoff_factor)
        )
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)

    def _retry_policy(self, retries, backoff_factor):
        """What urllib3 retries by itself, within one call.

        Connect errors are always safe to retry (nothing was sent); the
        ``in_call_retry_statuses`` only on the ``in_call_retry_methods`` (idempotent ones
        unless the platform says otherwise). Read errors are not retried: the platform
        may have acted on the request, and each retry would block the worker for another
        read timeout; the job queue retries them. Retry-After is ignored here
        (urllib3 would sleep it, however long) and handled by :meth:`request`.
        """
        return Retry(
            total=retries,
            connect=retries,
            read=False,
            status=retries,
            backoff_factor=backoff_factor,
            status_forcelist=tuple(sorted(self.in_call_retry_statuses)),
            allowed_methods=self.in_call_retry_methods,
            respect_retry_after_header=False,
            raise_on_status=False,
        )

    # ------------------------------------------------------------------ hooks

    def _auth_headers(self):
        """Headers that authenticate a request, e.g. ``{"Authorization": "Bearer ..."}``."""
        return {}

    def _auth_params(self):
        """Query parameters that authenticate a request, e.g. Trello's ``key`` and ``token``."""
        return {}

    def _secrets(self):
        """Values never to show in messages or logs.

        Defaults to the credentials of the auth hooks; extend it with secrets not
        sent on every call (refresh token, client secret).
        """
        values = [
            str(value) for value in (*self._auth_params().values(), *self._auth_headers().values()) if value
        ]
        # "Bearer abc" is also masked where only "abc" appears.
        return values + [value.split()[-1] for value in values]

    def _refresh_token(self):
        """Obtain a new access token; return True if one was obtained (default: cannot refresh)."""
        return False

    def _token_expires_soon(self):
        """True to refresh before the call rather than wait for a 401."""
        return False

    def _parse_error(self, response):
        """Return ``(platform_code, platform_message)`` of an error answer."""
        try:
            payload = response.json()
        except ValueError:
            return None, response.text.strip()[:_MAX_BODY_IN_MESSAGE] or None
        if not isinstance(payload, dict):
            return None, str(payload)[:_MAX_BODY_IN_MESSAGE]
        if isinstance(payload.get("error"), dict):
            payload = {**payload, **payload["error"]}
        scalars = {
            key: value for key, value in payload.items() if isinstance(value, str | int) and value != ""
        }
        code = next((scalars[key] for key in _CODE_KEYS if key in scalars), None)
        message = next(
            (scalars[key] for key in _MESSAGE_KEYS if key in scalars and scalars[key] != code), None
        )
        return code, message

    def _retry_after_from_body(self, response):
        """Seconds to wait when the platform gives them in the body, not in Retry-After; None if unknown."""

    def _not_ready_wait(self, response):
        """Seconds before a not-ready request may be sent again: Retry-After, or what
        :meth:`_retry_after_from_body` reads (Sprout's ``wait_until``), or the default."""
        delay = self._retry_after(response)
        return self.not_ready_default_wait if delay is None else delay

    def _error_class(self, status):
        if status in self.rate_limit_statuses:
            return RateLimitedError
        if status == 401:
            return AuthenticationError
        if status == 403:
            return PermissionDeniedError
        if status in (404, 410):
            return NotFoundError
        if status == 408:
            # The server gave up waiting for the request: a transport problem, not bad data.
            return NetworkError
        if status >= 500:
            return ServerError
        return ValidationError

    # ---------------------------------------------------------------- calling

    def request(
        self,
        method,
        path,
        *,
        params=None,
        json=None,
        data=None,
        headers=None,
        files=None,
        timeout=None,
        in_background=False,
    ):
        """Send one API call and return its JSON, raw bytes for other content, or None when empty.

        ``path`` is relative to ``base_url`` unless it is an absolute URL (a "next
        page" link). Pass file contents as bytes so a retry resends them.
        Raises the :mod:`.errors` class matching the failure.

        ``in_background``: the call is sent at once and travels on a background thread while
        the caller goes on (a pager reading its next page ahead); a :class:`PendingCall` is
        returned, whose ``result()`` is this call's result. Only the transfer and the JSON
        decoding run there: pacing, credentials (which may come from Odoo), refreshes,
        retries and errors stay on the calling thread.
        """
        method = method.upper()
        self._check_quota_headroom()
        if self._token_expires_soon():
            self._refresh()

        def send(background=False):
            return self._send(method, path, params, json, data, headers, files, timeout, background)

        first = send(in_background)
        if in_background:
            return PendingCall(lambda: self._conclude(method, path, send, first))
        return self._conclude(method, path, send, first)

    def _conclude(self, method, path, send, answer):
        """The rest of a call from its first answer (``answer()`` waits for it): a refresh
        after a 401, in-call waits after a rate-limit or not-ready answer, then the result
        or the typed error. ``send()`` sends the call again."""
        refreshed = False
        rate_limit_retries = not_ready_retries = 0
        waited = 0.0
        while True:
            response, payload = answer()
            status = response.status_code
            if status == 401 and not refreshed and self._refresh():
                refreshed = True
                answer = send()
                continue
            if status in self.rate_limit_statuses and rate_limit_retries < self.max_rate_limit_retries:
                delay = self._retry_after(response)
                if delay is not None and waited + delay <= self.max_in_call_wait:
                    _logger.info(
                        "%s: rate limited on %s %s, retrying in %.1f s",
                        self.platform,
                        method,
                        self._path(path),
                        delay,
                    )
                    time.sleep(delay)
                    waited += delay
                    rate_limit_retries += 1
                    answer = send()
                    continue
            if status in self.not_ready_statuses:
                delay = self._not_ready_wait(response)
                if not_ready_retries < self.max_not_ready_retries and waited + delay <= self.max_in_call_wait:
                    time.sleep(delay)
                    waited += delay
                    not_ready_retries += 1
                    answer = send()
                    continue
                raise self._not_ready_error(method, path, response, delay)
            return self._result(method, path, response, payload)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def put(self, path, **kwargs):
        return self.request("PUT", path, **kwargs)

    def patch(self, path, **kwargs):
        return self.request("PATCH", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)

    def close(self):
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # --------------------------------------------------------------- internal

    def _refresh(self):
        """Refresh the token once at a time; a refresh that itself calls :meth:`request` does not recurse."""
        with self._refresh_lock:
            if self._refreshing:
                return False
            self._refreshing = True
            try:
                return bool(self._refresh_token())
            finally:
                self._refreshing = False

    def _send(self, method, path, params, json, data, headers, files, timeout, background=False):
        """Send the call once; returns what waits for its answer, ``(response, payload)``.
        Pacing and the request's arguments are settled here, on the calling thread; the
        transfer runs here too, or on the background pool (``background``: it is under way
        when this returns)."""
        if self.rate_limiter is not None:
            self.rate_limiter.acquire()
        for limiter in self.scoped_rate_limiters:
            limiter.acquire()
        arguments = {
            "method": method,
            "url": self._url(path),
            "params": {**self._auth_params(), **(params or {})},
            "json": json,
            "data": data,
            "files": files,
            "headers": {**self._auth_headers(), **(headers or {})},
            "timeout": timeout or self.timeout,
        }
        secrets = self._secrets()
        if not background:
            answer = self._transfer(method, path, arguments, secrets)
            return lambda: answer
        return _background_pool().submit(self._transfer, method, path, arguments, secrets).result

    def _transfer(self, method, path, arguments, secrets):
        """The request on the wire and its answer, ``(response, payload)``: ``payload`` is the
        decoded JSON of a successful answer, or :data:`NOT_DECODED`. Touches nothing but the
        session, the call counters and the pure helpers: it may run on the background pool."""
        previous, _in_flight.secrets = getattr(_in_flight, "secrets", ()), secrets
        started = time.monotonic()
        try:
            response = self.session.request(**arguments)
        except (
            requests.exceptions.MissingSchema,
            requests.exceptions.InvalidSchema,
            requests.exceptions.InvalidURL,
        ) as exc:
            raise ConfigurationError(
                redact(f"{self.platform}: invalid URL for {method} {path}: {exc}", secrets)
            ) from None
        except (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            self._count_calls(1)
            reason, where = self._describe(exc), self._origin(path)
            # "from None": the chained requests exception would print the URL, credentials included.
            raise NetworkError(
                f"Cannot reach {self.platform} at {where} ({reason}): check the API URL and the network.",
                platform=self.platform,
                url=where,
                network_reason=reason,
                request=f"{method} {self._path(path)}",
            ) from None
        finally:
            _in_flight.secrets = previous
        retried = response.raw.retries.history if response.raw.retries else ()
        self._count_calls(1 + len(retried))
        self._note_quota_remaining(response)
        _logger.debug(
            "%s %s -> %s in %.3f s",
            method,
            redact(response.url, secrets),
            response.status_code,
            time.monotonic() - started,
        )
        return response, self._decoded(response)

    @staticmethod
    def _decoded(response):
        """The JSON of a successful answer, decoded where the transfer ran (:data:`NOT_DECODED`
        for any other answer, or a body that is not JSON: :meth:`_result` says so)."""
        if (
            response.status_code >= 400
            or not response.content
            or "json" not in response.headers.get("Content-Type", "").lower()
        ):
            return NOT_DECODED
        try:
            return response.json()
        except ValueError:
            return NOT_DECODED

    def _note_quota_remaining(self, response):
        """Keep what the platform says is left of its quota (``quota_remaining_header``)."""
        if self.quota_remaining_header is None:
            return
        # An answer without the figure (an error page) leaves the last one.
        with contextlib.suppress(KeyError, TypeError, ValueError):
            self.quota_remaining = int(response.headers[self.quota_remaining_header])

    def burst_wait(self):
        """Seconds a run applying a burst waits to gather more of it before its first call
        (``lib.rate_limit.burst_wait``), for the most spent of this client's quotas; 0 without one."""
        limiters = [self.rate_limiter, *self.scoped_rate_limiters]
        return max((burst_wait(limiter) for limiter in limiters if limiter is not None), default=0.0)

    def _check_quota_headroom(self):
        """Refuse to spend the reserve: a retryable error the queue waits ``quota_pause`` out."""
        left = self.quota_remaining
        if left is not None and left <= self.quota_reserve:
            raise RateLimitedError(
                f"{self.platform}: {left} call(s) left of the quota; waiting before the next one",
                retry_after=self.quota_pause,
                platform=self.platform,
            )

    def _count_calls(self, number):
        with self._lock:
            self.api_calls += number

    def _describe(self, exc):
        """Why the platform could not be reached, in a few words (never the exception's repr,
        which names pool objects and, for some platforms, the credentials in the URL)."""
        if isinstance(exc, requests.exceptions.ReadTimeout):
            return f"no answer within {self.timeout[1]:g} s"
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return f"no connection within {self.timeout[0]:g} s"
        if isinstance(exc, requests.exceptions.SSLError):
            return "TLS certificate or handshake refused"
        if isinstance(exc, requests.exceptions.ChunkedEncodingError):
            return "connection dropped during the answer"
        causes = []
        cause = exc
        while cause is not None and len(causes) < 10:
            causes.append(cause)
            cause = getattr(cause, "reason", None) or cause.__cause__ or cause.__context__
        if any(isinstance(cause, ConnectionRefusedError) for cause in causes):
            return "connection refused"
        if any(isinstance(cause, socket.gaierror) for cause in causes):
            return "host name not found"
        if any(isinstance(cause, ConnectionResetError) for cause in causes):
            return "connection reset"
        text = str(exc)
        if "Connection refused" in text:
            return "connection refused"
        if "Name or service not known" in text or "NameResolutionError" in text:
            return "host name not found"
        if "RemoteDisconnected" in text or "Connection aborted" in text:
            return "connection closed without an answer"
        return "connection failed"

    def _origin(self, path):
        """Scheme, host and port the call went to: what a person checks first."""
        parts = urlsplit(self._url(path))
        return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"

    def _url(self, path):
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    @staticmethod
    def _path(path):
        """The path alone: what messages show of a URL, whose query may carry credentials."""
        return urlsplit(path).path or path

    def _retry_after(self, response):
        header = parse_retry_after(response.headers.get("Retry-After"))
        return header if header is not None else self._retry_after_from_body(response)

    def _result(self, method, path, response, payload=NOT_DECODED):
        """What a call returns from its answer (``payload``: its JSON, already decoded)."""
        status = response.status_code
        if status >= 400:
            raise self._error(method, path, response)
        if payload is not NOT_DECODED:
            return payload
        if not response.content:
            return None
        if "json" not in response.headers.get("Content-Type", "").lower():
            return response.content
        try:
            return response.json()
        except ValueError:
            raise InvalidResponseError(
                f"{self.platform} answered {method} {self._path(path)} (HTTP {status}) with invalid JSON: "
                "a problem on the platform's side; the job tries again by itself",
                status=status,
                platform=self.platform,
                url=self._origin(path),
                request=f"{method} {self._path(path)}",
            ) from None

    def _not_ready_error(self, method, path, response, delay):
        request = f"{method} {self._path(path)}"
        return NotReadyError(
            f"{self.platform} has not finished {request} (HTTP {response.status_code}): "
            f"the job asks again in {delay:.0f} s",
            retry_after=delay,
            status=response.status_code,
            platform=self.platform,
            url=self._origin(path),
            request=request,
        )

    def _refuses_credential(self, status, code, message):
        """Whether a 401 or 403 answer refuses the credential itself (``AuthenticationError``:
        the backend waits for a new one) rather than one object to a working credential
        (``PermissionDeniedError``: that object alone fails). Each platform client says
        which is which (platform hook): by default a 401 refuses the credential, a 403 the
        object."""
        return status == 401

    def _error(self, method, path, response):
        status = response.status_code
        error_class = self._error_class(status)
        code, message = self._parse_error(response)
        if error_class in (AuthenticationError, PermissionDeniedError):
            refused = self._refuses_credential(status, code, message)
            error_class = AuthenticationError if refused else PermissionDeniedError
        secrets = self._secrets()
        request = f"{method} {self._path(path)}"
        answer = (
            f"HTTP {status}"
            + (f" [{code}]" if code is not None else "")
            + (f": {message}" if message else "")
        )
        advice = ADVICE.get(error_class, ADVICE[ValidationError])
        text = f"{self.platform} refused {request} ({answer}): {advice}"
        return error_class(
            redact(text, secrets),
            retry_after=self._retry_after(response) if error_class.retryable else None,
            status=status,
            platform_code=code,
            platform_message=redact(message, secrets),
            platform=self.platform,
            url=self._origin(path),
            request=request,
        )
