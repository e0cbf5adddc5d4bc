"""Sprout Social Public API (v1) client, built on the connector_base HTTP client.

Both credentials Sprout takes travel as ``Authorization: Bearer``: a pasted API token
(``lib.oauth.StaticToken``) or an OAuth client-credentials access token that the backend's
provider caches and renews at expiry or on a 401. Every call draws from one budget per
backend shared by all workers: never more than the 60 in any minute Sprout allows, a
burst going at once while the minute has room. A 429 is waited out for a minute by the
job queue (Sprout sends no Retry-After); a 202 is asked again (not before ``wait_until``
where given); 500 and 503 are resent, on the POSTs too since they are queries (messages,
analytics). A 504 is not resent as it was: Sprout advises narrowing the query, which the
message polls and analytics reads do (``lib.shrink``). A draft post is sent once (see
:meth:`SproutClient.create_draft_post`); a media upload may be resent: an upload Sprout
made but did not answer is never used and expires within a day.
"""

import time
from datetime import datetime, timedelta

from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from odoo.addons.connector_base.lib.dates import UTC, parse_iso_datetime
from odoo.addons.connector_base.lib.oauth import TokenAuthClient
from odoo.addons.connector_base.lib.pagination import CursorPager, PageNumberPager

from . import analytics
from .filters import as_id, eq, in_range

API_URL = "https://api.sproutsocial.com"
TOKEN_URL = "https://identity.sproutsocial.com/oauth2/84e39c75-d770-45d9-90a9-7b79e3037d2c/v1/token"
# The authorization endpoint of user-based OAuth clients, as the server's metadata names it.
AUTHORIZE_URL = "https://identity.sproutsocial.com/oauth2/84e39c75-d770-45d9-90a9-7b79e3037d2c/v1/authorize"
# The docs' example scope; whether it should be the numeric organization id is UNCONFIRMED.
DEFAULT_SCOPE = "organization_id"
# Connect errors only (nothing reached Sprout): no status retry, no read retry.
_CONNECT_RETRIES_ONLY = Retry(
    total=2,
    connect=2,
    read=False,
    status=0,
    status_forcelist=(),
    respect_retry_after_header=False,
    raise_on_status=False,
)
MESSAGE_PAGE = 100  # Sprout's largest messages `limit`
# Sprout sends no wait hint with a 429; its quota that clears soonest is a one-minute window.
RATE_LIMITED_WAIT = 60.0
MESSAGE_FIELDS = (
    "guid",
    "created_time",
    "network",
    "post_type",
    "post_category",
    "customer_profile_id",
    "profile_guid",
    "text",
    "perma_link",
    "from",
    "internal.tags.id",
    "internal.sent_by.id",
    "internal.sent_by.email",
    "sent",
    "case_id",
    "language_code",
)


def data_of(payload):
    """The records of an answer: the ``data`` list of Sprout's envelope, or a bare list
    (``topics`` answers without the envelope)."""
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict):
        return payload.get("data") or []
    return []


def next_cursor(payload):
    """A messages page without ``paging`` is the last one."""
    return ((payload or {}).get("paging") or {}).get("next_cursor") if isinstance(payload, dict) else None


def wait_until_seconds(value, now=None):
    """Seconds until ``wait_until`` (ISO time, or epoch seconds or milliseconds); None when unusable."""
    now = time.time() if now is None else now
    if isinstance(value, int | float) and not isinstance(value, bool):
        moment = value / 1000 if value > 1e11 else float(value)
    elif isinstance(value, str) and value.strip():
        try:
            parsed = parse_iso_datetime(value)
        except ValueError:
            return None
        moment = (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()
    else:
        return None
    return max(0.0, moment - now)


class SproutClient(TokenAuthClient):
    """The calls the connector makes; ``customer_id`` is read from the client metadata
    endpoint on first use when not given."""

    platform = "Sprout Social"
    # Sprout's 60 a minute, counted in any minute: calls go at once until 60 went in the last
    # minute, then each waits for the oldest to leave it.
    rate_limit = (60, 60.0)
    rate_limit_window = True
    not_ready_statuses = frozenset({202})
    not_ready_default_wait = 2.0
    # 500 too, and on POST: the POSTs this client sends are queries. Not 504: the same query
    # would time out again (the analytics reads ask for it in smaller parts instead).
    in_call_retry_statuses = frozenset({500, 503})
    in_call_retry_methods = frozenset({"GET", "POST"})

    def __init__(self, api_url=API_URL, *, token_provider, customer_id=None, **options):
        super().__init__(api_url, token_provider=token_provider, **options)
        self.customer_id = as_id(customer_id)

    # ------------------------------------------------------------------ base hooks
    def _parse_error(self, response):
        """Sprout's errors carry one human-readable ``error`` text and no code."""
        try:
            payload = response.json()
        except ValueError:
            return None, response.text.strip()[:300] or None
        if isinstance(payload, dict) and isinstance(payload.get("error"), str):
            return None, payload["error"]
        return super()._parse_error(response)

    def _retry_after_from_body(self, response):
        if response.status_code == 429:
            return RATE_LIMITED_WAIT
        if response.status_code == 202:
            try:
                payload = response.json()
            except ValueError:
                return None
            records = data_of(payload)
            found = payload.get("wait_until") if isinstance(payload, dict) else None
            if found is None and records and isinstance(records[0], dict):
                found = records[0].get("wait_until")
            return wait_until_seconds(found)
        return None

    # ------------------------------------------------------------------ metadata
    def client_metadata(self):
        """The customer the credential belongs to: ``{"customer_id", "name"}``."""
        clients = data_of(self.get("/v1/metadata/client"))
        if not clients:
            return {}
        client = dict(clients[0])
        client["customer_id"] = as_id(client.get("customer_id"))
        return client

    def identify(self):
        """Read the customer id (and remember it for the other calls); returns the client metadata."""
        client = self.client_metadata()
        self.customer_id = client.get("customer_id")
        return client

    def _customer_path(self, endpoint):
        if not self.customer_id:
            self.identify()
        return f"/v1/{self.customer_id}/{endpoint.lstrip('/')}"

    def profiles(self):
        return data_of(self.get(self._customer_path("metadata/customer")))

    def groups(self):
        return data_of(self.get(self._customer_path("metadata/customer/groups")))

    def tags(self):
        return data_of(self.get(self._customer_path("metadata/customer/tags")))

    def users(self):
        return data_of(self.get(self._customer_path("metadata/customer/users")))

    # ------------------------------------------------------------------ publishing
    def upload_media(self, filename, content, content_type):
        """A simple media upload (under 50 MiB), as ``multipart/form-data``: ``{"media_id",
        "expiration_time"}``. Media expire after about a day: upload just before posting."""
        answer = data_of(
            self.post(self._customer_path("media/"), files={"media": (filename, content, content_type)})
        )
        return answer[0] if answer else {}

    def create_draft_post(self, body):
        """Create a draft post (``publishing.draft_post_body``); returns its fanned-out objects.

        Sent once: a 5xx or a lost answer may come after Sprout made the drafts, and
        nothing in the API finds a draft again (no listing, no client key), so it is not
        resent within the call; what the connector does then is the backend's call."""
        path = self._customer_path("publishing/posts")
        url = self._url(path)
        if url not in self.session.adapters:
            # The longest mounted prefix wins: this URL's adapter resends nothing that reached Sprout.
            self.session.mount(url, HTTPAdapter(max_retries=_CONNECT_RETRIES_ONLY))
        return data_of(self.post(path, json=body))

    # ------------------------------------------------------------------ messages
    def iter_message_pages(
        self, filters, *, fields=MESSAGE_FIELDS, limit=MESSAGE_PAGE, sort="created_time:asc", read_ahead=False
    ):
        """Messages matching ``filters``, oldest first, a page at a time (forward cursor);
        ``read_ahead``: each next page is asked for as soon as the one before has come."""
        body = {
            "filters": list(filters),
            "fields": list(fields),
            "limit": limit,
            "sort": [sort],
            "timezone": "UTC",
        }
        path = self._customer_path("messages")
        pager = CursorPager(
            lambda cursor: self.post(path, json={**body, **cursor}, in_background=read_ahead),
            next_cursor=next_cursor,
            items="data",
            cursor_param="page_cursor",
            read_ahead=read_ahead,
        )
        return pager.pages()

    def messages_created(self, group_id, profile_ids, start, end, **options):
        """Messages created in [``start``, ``end``) on these profiles of one group, by page."""
        filters = [
            eq("group_id", as_id(group_id)),
            eq("customer_profile_id", *(as_id(profile) for profile in profile_ids)),
            in_range("created_time", start, end),
        ]
        return self.iter_message_pages(filters, **options)

    def messages_by_guid(self, guids, **options):
        """These messages (at most 100 guids: Sprout's limit), by page."""
        if len(guids) > 100:
            raise ValueError("at most 100 message ids per request")
        return self.iter_message_pages([eq("message_id", *guids)], **options)

    def messages_acted(self, group_id, profile_ids, created_since, action_start, end, **options):
        """Messages created since ``created_since`` with a Sprout action (reply, tag, like,
        complete) in [``action_start``, ``end``), by page. Sprout refuses an action range
        that starts before the created range."""
        if action_start < created_since:
            raise ValueError("the action range cannot start before the created range")
        filters = [
            eq("group_id", as_id(group_id)),
            eq("customer_profile_id", *(as_id(profile) for profile in profile_ids)),
            in_range("created_time", created_since, end),
            in_range("action_last_update_time", action_start, end),
        ]
        return self.iter_message_pages(filters, **options)

    # ------------------------------------------------------------------ analytics
    def _analytics_pages(self, endpoint, body, page_size):
        """Rows of an analytics query, a page number at a time (``paging.total_pages`` spares
        asking past the last page, which Sprout refuses)."""
        path = self._customer_path(endpoint)
        pager = PageNumberPager(
            lambda page: self.post(path, json={**body, **page}),
            page_size=page_size,
            items="data",
            size_param="limit",
            total_pages=lambda payload: ((payload or {}).get("paging") or {}).get("total_pages") or 0,
        )
        return iter(pager)

    def profile_analytics(self, profile_ids, first_day, last_day, metrics):
        """Daily rows of these profiles (at most 100) from ``first_day`` to ``last_day``
        included, the days being each network's own."""
        body = {
            "filters": [
                eq("customer_profile_id", *(as_id(profile) for profile in profile_ids)),
                # Dates mean midnight: up to the next day's, excluded, is the whole last day.
                in_range(
                    "reporting_period", first_day.isoformat(), (last_day + timedelta(days=1)).isoformat()
                ),
            ],
            "metrics": list(metrics),
        }
        return self._analytics_pages("analytics/profiles", body, analytics.PROFILE_PAGE)

    def post_analytics(self, profile_ids, start, end, metrics=tuple(analytics.POST_METRICS)):
        """Lifetime metrics of the posts these profiles published in [``start``, ``end``).

        Sorted by guid, so past the 10,000 results one query returns the next query goes on
        after the last guid read (``guid.gt``), as the notes advise."""
        base_filters = [
            eq("customer_profile_id", *(as_id(profile) for profile in profile_ids)),
            in_range("created_time", start, end),
        ]
        after = None
        while True:
            filters = [*base_filters, f"guid.gt({after})"] if after else base_filters
            body = {
                "fields": list(analytics.POST_FIELDS),
                "filters": filters,
                "metrics": list(metrics),
                "sort": ["guid:asc"],
                "timezone": "UTC",
            }
            read = 0
            for row in self._analytics_pages("analytics/posts", body, analytics.POST_PAGE):
                read += 1
                after = row["guid"]
                yield row
            if read < analytics.RESULT_CAP:
                return


def now_utc():
    """The present as the message windows use it (aware UTC, to the second)."""
    return datetime.now(UTC).replace(microsecond=0)
