"""Podio API client, built on the connector_base HTTP client.

Podio wants ``Authorization: OAuth2 <token>``; its tokens come from the backend's token
provider (app authentication, username & password, refresh). It answers 420 when a quota
is spent and reports what is left in ``X-Rate-Limit-Remaining``: the client stops before
the last calls and, on a 420, hands the job back to the queue for a configurable interval
(no official source gives the wait, so the body is not read). Items are read with
``mark_as_viewed=0`` so the connector never marks a person's notifications as read.
"""

import hashlib
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from odoo.addons.connector_base.lib.errors import RetryableError, ValidationError
from odoo.addons.connector_base.lib.oauth import TokenAuthClient
from odoo.addons.connector_base.lib.pagination import OffsetPager

API_URL = "https://api.podio.com"
AUTHORIZE_URL = "https://podio.com/oauth/authorize"
# The form-encoded endpoint every official client sends to (the JSON /oauth/token/v2 is newer).
TOKEN_PATH = "/oauth/token"
# The documented example's page size: the largest one Podio accepts is not confirmed.
FILTER_PAGE_SIZE = 100
FILTER_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
# The hooks an app's items need: created, changed and deleted.
ITEM_HOOK_TYPES = ("item.create", "item.update", "item.delete")
# How far Podio's clock may be from Odoo's: a poll after an import, and a listing of the
# items behind a burst of hook events, start this long before the moment they follow.
CLOCK_SKEW = timedelta(minutes=5)
# Podio's general quota: 1,000 calls per hour per user and API key.
GENERAL_QUOTA = (1000, 3600)
# What one filter call weighs in general calls: the notes leave open whether filtering is in
# Podio's 250-an-hour class of "rate limited" operations, so it is counted as if it were.
FILTER_CALL_WEIGHT = 1000 // 250
# Where Podio's file links point (files.podio.com/<file id>).
FILE_HOST = "files.podio.com"
# Calls kept back from Podio's count, for a person using the same account meanwhile.
QUOTA_RESERVE = 20


def token_endpoint(api_url=API_URL):
    return api_url.rstrip("/") + TOKEN_PATH


def app_grant(app_id, app_token):
    """The token request of app authentication: the connector acts as that one app."""
    return "app", {"app_id": str(app_id), "app_token": app_token}


def password_grant(username, password):
    """The token request of the username & password flow (a dedicated service account)."""
    return "password", {"username": username, "password": password}


def quota_holder(*parts):
    """An opaque name for who a quota is counted on (client id and account): never the secret."""
    return hashlib.sha256(":".join(str(part) for part in parts).encode()).hexdigest()[:16]


def filter_time(moment):
    """A naive UTC datetime as the filter endpoint's ``last_edit_on`` range takes it."""
    return moment.strftime(FILTER_TIME_FORMAT)


def parse_podio_time(text):
    """Podio's ``YYYY-MM-DD HH:MM:SS`` (UTC) as a naive datetime, or None. Read with
    ``fromisoformat`` once the shape is checked: ``strptime`` cost a tenth of mapping a page."""
    if not text:
        return None
    if len(text) != len("YYYY-MM-DD HH:MM:SS") or text[10] != " ":
        raise ValueError(f"{text!r} is not a Podio time ({FILTER_TIME_FORMAT})")
    return datetime.fromisoformat(text)


class PodioClient(TokenAuthClient):
    """The calls the connector makes; each returns parsed JSON."""

    platform = "Podio"
    auth_scheme = "OAuth2"
    rate_limit_statuses = frozenset({420, 429})
    scoped_rate_limits = {"general": GENERAL_QUOTA}
    quota_remaining_header = "X-Rate-Limit-Remaining"
    quota_reserve = QUOTA_RESERVE

    def __init__(self, base_url=API_URL, *, token_provider, rate_limit_backoff=300.0, **options):
        """``rate_limit_backoff``: seconds a job waits after a 420 (and when the reserve is reached)."""
        super().__init__(base_url, token_provider=token_provider, **options)
        self.rate_limit_backoff = float(rate_limit_backoff)
        self.quota_pause = self.rate_limit_backoff

    # ------------------------------------------------------------------ base hooks
    def _retry_after_from_body(self, response):
        """Podio gives no wait: a 420 waits the configured interval, whatever the body says."""
        return self.rate_limit_backoff

    def _error_class(self, status):
        """409: the item changed since the revision the write named; the job reads it again."""
        if status == 409:
            return RetryableError
        return super()._error_class(status)

    # ------------------------------------------------------------------ organisations, spaces, apps
    def organizations(self):
        """The organisations the token reaches, each with its spaces."""
        return self.get("/org/")

    def space_apps(self, space_id):
        return self.get(f"/app/space/{space_id}/")

    def app(self, app_id):
        """An app with its configuration and field definitions."""
        return self.get(f"/app/{app_id}")

    # ------------------------------------------------------------------ items
    def item(self, item_id):
        return self.get(f"/item/{item_id}", params={"mark_as_viewed": "0"})

    def item_by_external_id(self, app_id, external_id):
        """The app's item carrying ``external_id`` (raises ``NotFoundError`` when none does)."""
        return self.get(f"/item/app/{app_id}/external_id/{external_id}")

    def create_item(self, app_id, fields, *, external_id, hook=True):
        """A new item; ``hook=False`` mutes every hook of the app for this write (other
        integrations' too). Answers ``item_id``, ``app_item_id``, ``title``, ``revision``."""
        return self.post(
            f"/item/app/{app_id}/",
            json={"external_id": external_id, "fields": fields},
            params=None if hook else {"hook": "false"},
        )

    def update_item(self, item_id, fields, *, revision, hook=True):
        """Write ``fields`` if the item is still at ``revision`` (else 409: a retryable error)."""
        return self.put(
            f"/item/{item_id}",
            json={"revision": revision, "fields": fields},
            params=None if hook else {"hook": "false"},
        )

    def iter_item_pages(
        self, app_id, *, edited_since=None, newest_first=False, page_size=FILTER_PAGE_SIZE, read_ahead=False
    ):
        """The app's items, least recently edited first (``newest_first``: most recently), a
        page at a time (``edited_since``: a naive UTC datetime; only items edited at or after it).
        ``read_ahead``: each next page is asked for as soon as the current one has come (an
        import reading every page: see ``lib.pagination``)."""
        body = {"sort_by": "last_edit_on", "sort_desc": newest_first, "remember": False}
        if edited_since is not None:
            body["filters"] = {"last_edit_on": {"from": filter_time(edited_since)}}
        pager = OffsetPager(
            lambda page: self.post(
                f"/item/app/{app_id}/filter/", json={**body, **page}, in_background=read_ahead
            ),
            limit=page_size,
            items="items",
            total="filtered",
            read_ahead=read_ahead,
        )
        return pager.pages()

    def file_content(self, link):
        """The content of a file at its ``link``, read with the connector's token. The notes give
        a file's ``link`` but not how Podio serves its content (**unconfirmed**): the link is
        followed only on the API's host or Podio's file host, never elsewhere with the token."""
        host = urlsplit(link).hostname
        if host not in (urlsplit(self.base_url).hostname, FILE_HOST):
            raise ValidationError(f"Podio file link outside {FILE_HOST}: not followed")
        return self.get(link)

    # ------------------------------------------------------------------ hooks
    def hooks(self, app_id):
        return self.get(f"/hook/app/{app_id}/")

    def create_hook(self, app_id, url, hook_type):
        """A new, inactive hook; Podio then posts ``hook.verify`` to ``url``."""
        return self.post(f"/hook/app/{app_id}/", json={"url": url, "type": hook_type})

    def request_hook_verification(self, hook_id):
        return self.post(f"/hook/{hook_id}/verify/request")

    def validate_hook(self, hook_id, code):
        return self.post(f"/hook/{hook_id}/verify/validate", json={"code": code})

    def delete_hook(self, hook_id):
        return self.delete(f"/hook/{hook_id}")
