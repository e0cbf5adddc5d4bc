"""A local Sprout Social Public API (v1) for the connector's tests and demo.

Built from the platform notes and the documented examples of the API reference (the
messages endpoint's request and response examples): client metadata, the customer's
profiles, groups, tags and users, the inbox messages endpoint (filters, field
selection, sorting, forward cursors), the analytics endpoints (profile rows per profile
and day, each day the network's own, and posts' lifetime metrics always in UTC; page
numbers, ``paging.total_pages``, a page past the last refused, 10,000 results per query at
most, 100 profiles and a year per profile query), the OAuth identity server (the client-credentials
grant of machine-to-machine clients; the authorization endpoint and the code grant of
user-based clients, whose registered redirect URIs it checks), and 429 / 202 / 5xx on
demand. Publishing: draft posts only (``is_draft: true``), fanned out to one object per
profile and scheduled time as the reference's example answer shows (one
``publishing_post_id`` per profile, its ``customer_profile_id`` a string), scheduled times
refused unless in the future (seconds rounded down), and simple media uploads as
``multipart/form-data`` (a ``media`` file part or a ``media_url`` text part) answering
``media_id`` and ``expiration_time`` (24 h). Its error texts are ours: Sprout documents
none. Refresh tokens for user-based clients are UNCONFIRMED in the notes:
``issue_refresh_tokens`` turns them on (they rotate on use). Ids come as numbers in
metadata and messages, as the notes record; ``string_ids`` spells them as strings, as
the publishing answers do, so a client must take both. Every answer carries
``X-Sprout-Request-ID`` and the version headers.

Run the demo: ``python3 scripts/serve_emulator.py connector_sprout --port 8394 --demo``.
"""

import base64
import itertools
import json
import re
import secrets
import time
import uuid
import zlib
from datetime import datetime, timedelta, timezone
from html import escape
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from odoo.addons.connector_base.tests import emulator as framework
from odoo.addons.connector_base.tests.emulator import Emulator, EmulatorHTTPError, Response, demo_main

DEMO = {"backend_model": "sprout.backend", "port": 8394}
UTC = timezone.utc  # datetime.UTC is Python 3.11+
DEMO_TOKEN = "sprout-demo-api-token-0f1e2d3c4b5a69788796a5b4c3d2e1f0"
DEMO_CLIENT_ID = "0oa-demo-machine-client"
DEMO_CLIENT_SECRET = "sprout-demo-client-secret-7a6b5c4d3e2f1a0b"
# The identity server's path for Sprout's OAuth tenant (platform notes).
TOKEN_PATH = "/oauth2/84e39c75-d770-45d9-90a9-7b79e3037d2c/v1/token"
AUTHORIZE_PATH = "/oauth2/84e39c75-d770-45d9-90a9-7b79e3037d2c/v1/authorize"
DEMO_USER_CLIENT_ID = "0oa-demo-user-client"
DEMO_USER_CLIENT_SECRET = "sprout-demo-user-client-secret-1c2d3e4f5a6b"
TOKEN_LIFETIME = 3600
API_VERSION = "1.1"
SERVER_VERSION = "1.1.3018"
MAX_LIMIT = 100
MEDIA_LIFETIME = timedelta(hours=24)
MAX_MEDIA_BYTES = 50 * 1024 * 1024
# The reference's supported media types (its list), photo or video.
MEDIA_TYPES = {
    **dict.fromkeys(
        (
            "image/png",
            "image/gif",
            "image/webp",
            "image/jpeg",
            "image/heic",
            "image/avif",
            "image/heif",
            "image/heic-sequence",
            "image/x-heif-jpeg",
        ),
        "PHOTO",
    ),
    **dict.fromkeys(
        (
            "video/x-msvideo",
            "video/quicktime",
            "video/mp4",
            "video/mpeg",
            "video/hevc",
            "video/avc",
            "video/av1",
            "video/webm",
            "video/x-matroska",
            "application/x-matroska",
        ),
        "VIDEO",
    ),
}
# The profile types the reference says drafts can be created for (network_type names UNCONFIRMED).
PUBLISHABLE_NETWORKS = frozenset(
    {
        "instagram",
        "facebook",
        "threads",
        "twitter",
        "linkedin_company",
        "linkedin",
        "youtube",
        "tiktok",
        "pinterest",
        "google_my_business",
    }
)
DEFAULT_LIMIT = 50
RESULT_CAP = 10_000  # analytics results one query returns at most
# Whose days count in Pacific time (platform notes); the other networks count in UTC.
_NETWORK_ZONES = dict.fromkeys(("facebook", "instagram", "youtube"), "America/Los_Angeles")

MEDIA = "/v1/{customer_id}/media/"
PUBLISHING = "/v1/{customer_id}/publishing/posts"
_FILTER = re.compile(r"^(?P<field>[a-z_.]+)\.(?P<op>eq|in|gt)\((?P<args>.*)\)$")
_RANGE = re.compile(r"^(?P<start>[^.]+?)(?P<dots>\.\.\.|\.\.)(?P<end>[^.].*)$")


def _error(status, message):
    """Sprout's envelope on errors: one human-readable ``error`` text, no code."""
    return EmulatorHTTPError(status, {"error": message})


def _invalid_client():
    return EmulatorHTTPError(
        401, {"error": "invalid_client", "error_description": "Client authentication failed."}
    )


def _invalid_grant(description):
    return EmulatorHTTPError(400, {"error": "invalid_grant", "error_description": description})


def _iso(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_moment(text, zone):
    """A filter's date or datetime (``YYYY-MM-DD`` means midnight) in the request's time zone."""
    text = text.strip()
    for pattern in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=zone)
        except ValueError:
            continue
    raise _error(400, f"invalid date value '{text}'")


def _project(message, fields):
    """The requested fields only (dotted paths select inside objects and lists); ``guid`` always."""
    result = {"guid": message["guid"]}
    for path in fields:
        _copy_path(message, result, path.split("."))
    return result


def _copy_path(source, target, parts):
    head, rest = parts[0], parts[1:]
    if not isinstance(source, dict) or head not in source:
        return
    value = source[head]
    if not rest:
        target[head] = value
    elif isinstance(value, list):
        existing = target.setdefault(head, [{} for _item in value])
        for item, out in zip(value, existing, strict=False):
            _copy_path(item, out, rest)
    else:
        _copy_path(value, target.setdefault(head, {}), rest)


class SproutEmulator(Emulator):
    """Sprout Social on 127.0.0.1: one customer, its profiles, groups, tags, users and inbox."""

    # The ids of the messages and drafts made while a demo runs: none an earlier run gave (demo_main).
    RUNTIME_ID_COUNTERS = ("_ids", "_publishing_ids")

    def __init__(self, *, customer_id=687751, customer_name="ACME Social", api_token=DEMO_TOKEN):
        super().__init__()
        self.customer_id = customer_id
        self.customer_name = customer_name
        self.api_tokens = {api_token}
        self.clients = {DEMO_CLIENT_ID: DEMO_CLIENT_SECRET}
        # User-based clients: client id -> {"secret", "redirect_uris"} (authorization code).
        self.user_clients = {}
        self.consent = "approve"  # what the person answers on the consent page, or "deny"
        self.issue_refresh_tokens = False
        self._codes = {}  # code -> (client id, redirect URI)
        self._refresh_tokens = {}  # refresh token -> client id
        self.access_tokens = {}  # access token -> expiry (epoch seconds)
        self.token_requests = []  # the form of every token request, for tests
        self.token_lifetime = TOKEN_LIFETIME
        self.string_ids = False
        self.profiles = []
        self.groups = []
        self.tags = []
        self.users = []
        self.messages = []
        self.posts = []
        # (profile id, "YYYY-MM-DD", metric) -> value; other cells get a steady made-up value.
        self.profile_metrics = {}
        # A query covering more than this many profile-days answers 504 (Sprout's gateway
        # timeout on a request too big); None: every size passes.
        self.timeout_above = None
        # A messages query covering more than this many profile-hours (its profiles times its
        # narrowest time range) answers 504 the same way; None: every size passes.
        self.messages_timeout_above = None
        self.timed_out = []  # the filters of each query answered 504 for its size
        self._changes = 0  # counts actions on messages: a query's kept matches are then stale
        self._last_query = (None, [])

        self.media = {}  # media id -> {"filename", "content_type", "content", "expires"}
        self.publishing_posts = []  # the fanned-out objects of every draft post created
        # Statuses the next draft posts answer once made (the platform acted, the client hears a 5xx).
        self.fail_after_making = []
        self._publishing_ids = itertools.count(4567890)
        self._ids = itertools.count(17900000000000001)
        self._routes()

    # ------------------------------------------------------------------ credentials
    def authenticate(self, request):
        header = request.headers.get("Authorization") or ""
        scheme, _space, token = header.partition(" ")
        if scheme != "Bearer" or not token:
            raise _error(401, "Missing or invalid Authorization header")
        if token in self.api_tokens:
            return token
        expiry = self.access_tokens.get(token)
        if expiry is None or expiry <= time.time():
            raise _error(401, "Token is expired or invalid")
        return token

    def expire_access_tokens(self):
        """Every OAuth access token stops working (its short life is over)."""
        self.access_tokens.clear()

    def revoke_api_token(self, token=DEMO_TOKEN):
        self.api_tokens.discard(token)

    def register_user_client(self, client_id, secret, redirect_uri):
        """A user-based OAuth client, with the redirect URI allowed for it."""
        self.user_clients[client_id] = {"secret": secret, "redirect_uris": {redirect_uri}}

    def _authorize(self, request):
        """The consent page of a user-based client, answered at once as ``consent`` says:
        back to the registered redirect URI with a single-use code (or ``access_denied``)
        and the state."""
        query = request.query
        client = self.user_clients.get(query.get("client_id"))
        redirect_uri = query.get("redirect_uri")
        if client is None or redirect_uri not in client["redirect_uris"]:
            return Response(400, b"Unknown client_id or redirect_uri not allowed for it")
        if query.get("response_type") != "code":
            answer = {"error": "unsupported_response_type"}
        elif self.consent != "approve":
            answer = {"error": "access_denied", "error_description": "The user denied access."}
        else:
            code = secrets.token_urlsafe(24)
            self._codes[code] = (query["client_id"], redirect_uri)
            answer = {"code": code}
        location = f"{redirect_uri}?{urlencode({**answer, 'state': query.get('state', '')})}"
        return Response(302, b"", {"Location": location})

    def _issue_token(self, request):
        form = request.form
        self.token_requests.append(dict(form))
        if request.content_type != "application/x-www-form-urlencoded":
            raise EmulatorHTTPError(415, {"error": "invalid_request"})
        grant = form.get("grant_type")
        client_id = form.get("client_id")
        if grant == "client_credentials":
            if self.clients.get(client_id) != form.get("client_secret"):
                raise _invalid_client()
            return self._tokens(form.get("scope") or "")
        if grant not in ("authorization_code", "refresh_token"):
            raise EmulatorHTTPError(400, {"error": "unsupported_grant_type"})
        client = self.user_clients.get(client_id)
        if client is None or client["secret"] != form.get("client_secret"):
            raise _invalid_client()
        if grant == "authorization_code":
            if self._codes.pop(form.get("code"), None) != (client_id, form.get("redirect_uri")):
                raise _invalid_grant("The authorization code is invalid or expired.")
        elif self._refresh_tokens.pop(form.get("refresh_token"), None) != client_id:
            raise _invalid_grant("The refresh token is invalid or expired.")
        tokens = self._tokens(form.get("scope") or "")
        if self.issue_refresh_tokens:
            tokens["refresh_token"] = secrets.token_urlsafe(32)
            self._refresh_tokens[tokens["refresh_token"]] = client_id
        return tokens

    def _tokens(self, scope):
        # A JWT-looking opaque token: the connector never reads inside it.
        token = ".".join(
            base64.urlsafe_b64encode(part).rstrip(b"=").decode()
            for part in (b'{"alg":"RS256"}', secrets.token_bytes(24), secrets.token_bytes(16))
        )
        self.access_tokens[token] = time.time() + self.token_lifetime
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self.token_lifetime,
            "scope": scope,
        }

    # ------------------------------------------------------------------ routing
    def _routes(self):
        self.route("POST", TOKEN_PATH, self._issue_token, public=True)
        self.route("GET", AUTHORIZE_PATH, self._authorize, public=True)
        self.route("GET", "/v1/metadata/client", self._get_client)
        for pattern, handler in (
            ("metadata/customer", lambda: [self._spell(profile) for profile in self.profiles]),
            ("metadata/customer/groups", lambda: [self._spell(group) for group in self.groups]),
            ("metadata/customer/tags", lambda: [self._spell(tag) for tag in self.tags]),
            ("metadata/customer/users", lambda: [self._spell(user) for user in self.users]),
        ):
            self.route(
                "GET",
                f"/v1/{{customer_id}}/{pattern}",
                lambda request, handler=handler: self._customer_answer(request, {"data": handler()}),
            )
        self.route("POST", "/v1/{customer_id}/messages", self._post_messages)
        self.route("POST", "/v1/{customer_id}/analytics/profiles", self._post_profile_analytics)
        self.route("POST", "/v1/{customer_id}/analytics/posts", self._post_post_analytics)

        self.route("POST", MEDIA, self._upload_media)
        self.route("POST", PUBLISHING, self._create_publishing_post)
        self.route("GET", PUBLISHING + "/{publishing_post_id}", self._get_publishing_post)

    def _guard(self, handler, public):
        serve_guarded = super()._guard(handler, public)

        def serve(request):
            response = serve_guarded(request)
            response.headers.update(
                {
                    "X-Sprout-Request-ID": str(uuid.uuid4()),
                    "X-Sprout-API-Version": API_VERSION,
                    "X-Sprout-Server-Version": SERVER_VERSION,
                }
            )
            return response

        return serve

    def _customer(self, request):
        if str(request.params["customer_id"]) != str(self.customer_id):
            raise _error(403, "You do not have access to this customer")

    def _customer_answer(self, request, body):
        self._customer(request)
        return body

    def _get_client(self, request):
        return {"data": [{"customer_id": self._id(self.customer_id), "name": self.customer_name}]}

    # ------------------------------------------------------------------ ids
    def _id(self, value):
        return str(value) if self.string_ids else value

    def _spell(self, record):
        """A metadata record with its ids as numbers, or strings when ``string_ids``."""
        spelled = dict(record)
        for key in ("customer_profile_id", "group_id", "tag_id", "id"):
            if key in spelled:
                spelled[key] = self._id(spelled[key])
        for key in ("groups",):
            if key in spelled:
                spelled[key] = [self._id(value) for value in spelled[key]]
        return spelled

    # ------------------------------------------------------------------ building data
    def add_group(self, name):
        group_id = 23598 + len(self.groups)
        self.groups.append({"group_id": group_id, "name": name})
        return group_id

    def add_profile(self, network_type, name, *, native_name=None, native_id=None, groups=()):
        profile_id = 4921 + 1000 * len(self.profiles)
        self.profiles.append(
            {
                "customer_profile_id": profile_id,
                "network_type": network_type,
                "name": name,
                "native_name": native_name,
                "native_id": native_id or f"1784140000000{profile_id:04d}",
                "groups": list(groups),
            }
        )
        return profile_id

    def add_tag(self, text, *, kind="LABEL", groups=(), active=True):
        tag_id = 321 + len(self.tags)
        self.tags.append(
            {
                "tag_id": tag_id,
                "any_group": not groups,
                "active": active,
                "text": text,
                "type": kind,
                "groups": list(groups),
            }
        )
        return tag_id

    def add_user(self, name, email):
        user_id = 2066696 + len(self.users)
        self.users.append({"id": user_id, "name": name, "email": email})
        return user_id

    def profile(self, profile_id):
        return next(profile for profile in self.profiles if profile["customer_profile_id"] == profile_id)

    def add_message(
        self,
        profile_id,
        text,
        *,
        created_time=None,
        post_type="INSTAGRAM_GRAPH_COMMENT",
        author=("Rita", "rita.p"),
        tags=(),
        language="en",
        sent_by=None,
        case_id=None,
    ):
        """An inbox message on ``profile_id``; ``sent_by`` (a user id) makes it one the customer
        sent; ``case_id`` puts it in a Sprout case."""
        profile = self.profile(profile_id)
        network = profile["network_type"].split("_")[0].upper()
        number = next(self._ids)
        created = created_time or datetime.now(UTC).replace(microsecond=0)
        name, screen_name = author
        message = {
            "guid": f"{network[:2].lower()}m:{number}",
            "created_time": _iso(created),
            "network": network,
            "post_type": post_type,
            "post_category": "COMMENT" if "COMMENT" in post_type else "POST",
            "customer_profile_id": profile_id,
            "profile_guid": f"{network[:2].lower()}pr:{profile['native_id']}",
            "text": text,
            "perma_link": f"https://example.com/{network.lower()}/p/{number}/",
            "from": {
                "guid": f"{network[:2].lower()}pr:{zlib.crc32(screen_name.encode())}",
                "name": name,
                "screen_name": screen_name,
            },
            "internal": {"tags": [{"id": tag} for tag in tags]},
            "sent": sent_by is not None,
            "language_code": language,
            "_created": created,
            "_action_time": None,
        }
        if case_id is not None:
            message["case_id"] = case_id
        if sent_by is not None:
            user = next(user for user in self.users if user["id"] == sent_by)
            first, _space, last = user["name"].partition(" ")
            message["internal"]["sent_by"] = {
                "id": sent_by,
                "email": user["email"],
                "first_name": first,
                "last_name": last,
            }
        self.messages.append(message)
        return message

    def act_on(self, guid, *, tags=None, when=None):
        """A person in Sprout acts on a message (tags it, replies, completes): its
        ``action_last_update_time`` moves."""
        message = next(message for message in self.messages if message["guid"] == guid)
        if tags is not None:
            message["internal"]["tags"] = [{"id": tag} for tag in tags]
        message["_action_time"] = when or datetime.now(UTC).replace(microsecond=0)
        self._changes += 1
        return message

    def add_post(self, profile_id, text, *, created_time=None, metrics=None):
        """A post the customer published on ``profile_id``, with its lifetime metrics so far."""
        profile = self.profile(profile_id)
        network = profile["network_type"].split("_")[0].lower()
        number = next(self._ids)
        created = created_time or datetime.now(UTC).replace(microsecond=0)
        post = {
            "guid": f"{network[:2]}p:{number}",
            "created_time": _iso(created),
            "customer_profile_id": profile_id,
            "text": text,
            "perma_link": f"https://example.com/{network}/p/{number}/",
            "metrics": dict(
                metrics
                or {
                    "lifetime.impressions": 100 + number % 900,
                    "lifetime.likes": number % 50,
                    "lifetime.comments_count": number % 7,
                    "lifetime.shares_count": number % 5,
                    "lifetime.post_link_clicks": number % 11,
                }
            ),
            "_created": created,
        }
        self.posts.append(post)
        return post

    # ------------------------------------------------------------------ faults
    def rate_limit_next(self, times=1, route="/v1/{customer_id}/messages"):
        """The next calls of ``route`` (messages) answer 429 as Sprout does: no Retry-After,
        no rate headers."""
        return self.faults.add(
            429,
            body={"error": "Too many requests, or the monthly allowance is used up"},
            times=times,
            route=route,
        )

    def not_ready_next(self, times=1, wait_until=None, route="/v1/{customer_id}/messages"):
        """The next calls of ``route`` (messages) answer 202: accepted, not ready
        (``wait_until`` as given); nothing is done."""
        body = {"data": []}
        if wait_until is not None:
            body["wait_until"] = wait_until
        return self.faults.add(202, body=body, times=times, route=route)

    def fail_next(self, status, times=1, route="/v1/{customer_id}/messages"):
        return self.faults.add(status, body={"error": "Internal error"}, times=times, route=route)

    # ------------------------------------------------------------------ messages
    def _post_messages(self, request):
        self._customer(request)
        body = request.json
        if not isinstance(body, dict):
            raise EmulatorHTTPError(415, {"error": "Request body must be JSON"})
        filters = body.get("filters")
        if not isinstance(filters, list) or not filters:
            raise _error(400, "filters is required")
        try:
            zone = ZoneInfo(body.get("timezone") or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            raise _error(400, f"invalid timezone '{body.get('timezone')}'") from None
        limit = body.get("limit", DEFAULT_LIMIT)
        if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
            raise _error(400, f"limit must be between 1 and {MAX_LIMIT}")
        sort = (body.get("sort") or ["created_time:desc"])[0]
        if sort not in ("created_time:asc", "created_time:desc"):
            raise _error(400, f"invalid sort '{sort}'")
        offset = self._offset(body.get("page_cursor"), filters, sort)
        parsed = [self._parse_filter(text, zone) for text in filters]
        self._messages_too_big(body, parsed)
        # A cursor's next pages read the matches its first page found, as a server keeps a
        # query's result behind its cursor (and a 20,000-message inbox is filtered once).
        key = (self._query_key(filters, sort), body.get("timezone"), len(self.messages), self._changes)
        if offset and self._last_query[0] == key:
            found = self._last_query[1]
        else:
            found = self._filtered(parsed)
            found.sort(
                key=lambda message: (message["_created"], message["guid"]), reverse=sort.endswith("desc")
            )
            self._last_query = (key, found)
        page = found[offset : offset + limit]
        answer = {
            "data": [self._spell_message(_project(message, body.get("fields") or ())) for message in page]
        }
        if offset + limit < len(found):
            answer["paging"] = {"next_cursor": self._cursor(offset + limit, filters, sort)}
        return answer

    def _messages_too_big(self, body, parsed):
        """504 on a query over more profile-hours than ``messages_timeout_above``, on any of
        its pages (a cursor's later page is as slow to cut from a query that big)."""
        if self.messages_timeout_above is None:
            return
        by_field = {field: (op, args) for field, op, args in parsed}
        if "message_id" in by_field:
            return
        if "customer_profile_id" in by_field:
            profiles = len(by_field["customer_profile_id"][1])
        else:
            group_id = int(by_field["group_id"][1][0])
            profiles = sum(1 for profile in self.profiles if group_id in profile["groups"])
        ranges = [args for field, (op, args) in by_field.items() if op == "in" and field.endswith("_time")]
        hours = min((end - start).total_seconds() / 3600 for start, end, _include in ranges)
        if profiles * hours > self.messages_timeout_above:
            self.timed_out.append(body["filters"])
            raise _error(504, "Gateway timeout")

    def _spell_message(self, message):
        if "customer_profile_id" in message:
            message["customer_profile_id"] = self._id(message["customer_profile_id"])
        return message

    @staticmethod
    def _query_key(filters, sort):
        return json.dumps([sorted(filters), sort])

    def _cursor(self, offset, filters, sort):
        raw = json.dumps({"offset": offset, "query": self._query_key(filters, sort)}).encode()
        return base64.b64encode(raw).decode()

    def _offset(self, cursor, filters, sort):
        if cursor is None:
            return 0
        try:
            state = json.loads(base64.b64decode(cursor, validate=True))
            if state["query"] != self._query_key(filters, sort):
                raise ValueError("another query's cursor")
            return int(state["offset"])
        except (ValueError, KeyError, TypeError):
            raise _error(400, "Invalid page_cursor") from None

    def _parse_filter(self, text, zone):
        match = _FILTER.match(str(text).strip())
        if not match:
            raise _error(400, f"Invalid filter '{text}'")
        field, op, args = match["field"], match["op"], match["args"]
        if op == "in":
            bounds = _RANGE.match(args.strip())
            if not bounds:
                raise _error(400, f"Invalid range in filter '{text}'")
            start, end = _parse_moment(bounds["start"], zone), _parse_moment(bounds["end"], zone)
            return field, op, (start, end, bounds["dots"] == "..")
        return field, op, [value.strip() for value in args.split(",") if value.strip()]

    def _filtered(self, parsed):
        by_field = {field: (op, args) for field, op, args in parsed}
        if "message_id" in by_field:
            if len(parsed) > 1:
                raise _error(400, "message_id must be used alone")
            guids = by_field["message_id"][1]
            if len(guids) > 100:
                raise _error(400, "at most 100 message ids")
            return [message for message in self.messages if message["guid"] in guids]
        group = by_field.get("group_id")
        if not group or len(group[1]) != 1:
            raise _error(400, "group_id.eq() with exactly one group is required")
        group_id = int(group[1][0])
        group_profiles = {
            profile["customer_profile_id"] for profile in self.profiles if group_id in profile["groups"]
        }
        wanted = group_profiles
        if "customer_profile_id" in by_field:
            wanted = {int(value) for value in by_field["customer_profile_id"][1]}
            if not wanted <= group_profiles:
                raise _error(400, "customer_profile_id values must belong to the requested group_id")
        if "created_time" not in by_field:
            raise _error(400, "created_time.in() is required")
        created = by_field["created_time"][1]
        action = by_field.get("action_last_update_time", (None, None))[1]
        if action is not None and action[0] < created[0]:
            raise _error(400, "action_last_update_time cannot be before the created_time range")
        result = []
        for message in self.messages:
            if message["customer_profile_id"] not in wanted or not self._within(message["_created"], created):
                continue
            if action is not None and not (
                message["_action_time"] and self._within(message["_action_time"], action)
            ):
                continue
            if not self._matches_values(message, by_field):
                continue
            result.append(message)
        return result

    @staticmethod
    def _within(moment, bounds):
        start, end, include_end = bounds
        return start <= moment and (moment <= end if include_end else moment < end)

    @staticmethod
    def _matches_values(message, by_field):
        checks = {
            "post_type": lambda values: message["post_type"] in values,
            "language_code": lambda values: message["language_code"] in values,
            "from.guid": lambda values: message["from"]["guid"] in values,
            "tag_id": lambda values: bool(
                {str(tag["id"]) for tag in message["internal"]["tags"]} & set(values)
            ),
        }
        return all(check(by_field[field][1]) for field, check in checks.items() if field in by_field)

    # ------------------------------------------------------------------ analytics
    def _analytics_body(self, request):
        self._customer(request)
        body = request.json
        if not isinstance(body, dict):
            raise EmulatorHTTPError(415, {"error": "Request body must be JSON"})
        if not isinstance(body.get("filters"), list) or not body["filters"]:
            raise _error(400, "filters is required")
        return body

    @staticmethod
    def _page_of(rows, body, default_limit):
        """One page of ``rows`` by page number, past the 10,000 results cut off."""
        page, limit = body.get("page", 1), body.get("limit", default_limit)
        if not isinstance(page, int) or page < 1:
            raise _error(400, "page must be a positive integer")
        if not isinstance(limit, int) or not 1 <= limit <= RESULT_CAP:
            raise _error(400, "invalid limit")
        rows = rows[:RESULT_CAP]
        total_pages = -(-len(rows) // limit)
        if page > max(total_pages, 1):
            raise _error(400, f"page {page} is past the last page ({total_pages})")
        return {
            "data": rows[(page - 1) * limit : page * limit],
            "paging": {"current_page": page, "total_pages": total_pages},
        }

    def _analytics_profiles(self, by_field):
        if "customer_profile_id" not in by_field:
            raise _error(400, "customer_profile_id.eq() is required")
        wanted = [int(value) for value in by_field["customer_profile_id"][1]]
        if len(wanted) > 100:
            raise _error(400, "at most 100 customer_profile_id values")
        known = {profile["customer_profile_id"] for profile in self.profiles}
        if not set(wanted) <= known:
            raise _error(403, "You do not have access to these profiles")
        return wanted

    def _too_big(self, body, profiles, days):
        if self.timeout_above is not None and profiles * max(days, 1) > self.timeout_above:
            self.timed_out.append(body["filters"])
            raise _error(504, "Gateway timeout")

    def _post_profile_analytics(self, request):
        """Daily rows per profile and day: a day is counted in the profile's network's zone,
        so a day not yet begun there has no row."""
        body = self._analytics_body(request)
        by_field = {
            field: (op, args) for field, op, args in (self._parse_filter(f, UTC) for f in body["filters"])
        }
        wanted = self._analytics_profiles(by_field)
        if "reporting_period" not in by_field or by_field["reporting_period"][0] != "in":
            raise _error(400, "reporting_period.in() is required")
        start, end, include_end = by_field["reporting_period"][1]
        if end - start > timedelta(days=366):
            raise _error(400, "reporting_period cannot exceed one year")
        metrics = body.get("metrics")
        if not isinstance(metrics, list) or not metrics:
            raise _error(400, "metrics is required")
        days = []
        day = start
        while day < end or (include_end and day == end):
            days.append(day.date())
            day += timedelta(days=1)
        self._too_big(body, len(wanted), len(days))
        rows = []
        for profile_id in sorted(wanted):
            zone = ZoneInfo(_NETWORK_ZONES.get(self.profile(profile_id)["network_type"].split("_")[0], "UTC"))
            today = datetime.now(zone).date()
            for day in days:
                if day > today:
                    continue
                rows.append(
                    {
                        "dimensions": {
                            "reporting_period.by(day)": day.isoformat(),
                            "customer_profile_id": self._id(profile_id),
                        },
                        "metrics": {name: self._profile_metric(profile_id, day, name) for name in metrics},
                    }
                )
        return self._page_of(rows, body, 1000)

    def _profile_metric(self, profile_id, day, name):
        found = self.profile_metrics.get((profile_id, day.isoformat(), name))
        if found is not None:
            return found
        return zlib.crc32(f"{profile_id}:{day}:{name}".encode()) % 1000

    def _post_post_analytics(self, request):
        """Lifetime metrics of posts, their times in UTC whatever ``timezone`` says."""
        body = self._analytics_body(request)
        try:
            zone = ZoneInfo(body.get("timezone") or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            raise _error(400, f"invalid timezone '{body.get('timezone')}'") from None
        by_field = {
            field: (op, args) for field, op, args in (self._parse_filter(f, zone) for f in body["filters"])
        }
        wanted = self._analytics_profiles(by_field)
        if "created_time" not in by_field:
            raise _error(400, "created_time.in() is required")
        created = by_field["created_time"][1]
        self._too_big(body, len(wanted), (created[1] - created[0]).days)
        after = by_field.get("guid", (None, [None]))[1][0]
        sort = (body.get("sort") or ["created_time:desc"])[0]
        if sort not in ("guid:asc", "created_time:asc", "created_time:desc"):
            raise _error(400, f"invalid sort '{sort}'")
        found = [
            post
            for post in self.posts
            if post["customer_profile_id"] in wanted
            and self._within(post["_created"], created)
            and (after is None or post["guid"] > after)
        ]
        if sort == "guid:asc":
            found.sort(key=lambda post: post["guid"])
        else:
            found.sort(key=lambda post: post["_created"], reverse=sort.endswith("desc"))
        fields = body.get("fields") or ()
        rows = []
        for post in found:
            row = {name: post[name] for name in fields if name in post}
            if "customer_profile_id" in row:
                row["customer_profile_id"] = self._id(row["customer_profile_id"])
            row["metrics"] = {name: post["metrics"].get(name, 0) for name in body.get("metrics") or ()}
            rows.append(row)
        return self._page_of(rows, body, 50)

    def fail_analytics_next(self, status, times=1, endpoint="profiles"):
        return self.fail_next(status, times=times, route=f"/v1/{{customer_id}}/analytics/{endpoint}")

    def rate_limit_all(self, times=1000):
        """Every call answers 429 from now on (a monthly quota used up), ``times`` at most."""
        return self.faults.add(
            429, body={"error": "Too many requests, or the monthly allowance is used up"}, times=times
        )

    # ------------------------------------------------------------------ media and publishing
    def _upload_media(self, request):
        """A simple media upload: one ``media`` file part (or a ``media_url`` part, whose
        download is not emulated: it is stored as an empty photo)."""
        self._customer(request)
        if request.content_type != "multipart/form-data":
            raise EmulatorHTTPError(415, {"error": "Media must be sent as multipart/form-data"})
        parts = request.multipart
        if "media" in parts:
            part = parts["media"]
            content, filename, content_type = part.content, part.filename, part.content_type
        elif "media_url" in parts:
            content, filename, content_type = b"", parts["media_url"].text.rsplit("/", 1)[-1], "image/jpeg"
        else:
            raise _error(400, "A media or media_url part is required")
        if content_type not in MEDIA_TYPES:
            raise _error(400, f"Unsupported media type '{content_type}'")
        if len(content) > MAX_MEDIA_BYTES:
            raise _error(400, "Media larger than 50 MiB must use the multipart upload")
        media_id = str(uuid.uuid4())
        expires = datetime.now(UTC).replace(microsecond=0) + MEDIA_LIFETIME
        self.media[media_id] = {
            "filename": filename,
            "content_type": content_type,
            "content": content,
            "expires": expires,
        }
        return {"data": [{"media_id": media_id, "expiration_time": _iso(expires)}]}

    def expire_media(self):
        """Every uploaded media is past its ``expiration_time``."""
        for media in self.media.values():
            media["expires"] = datetime.now(UTC) - timedelta(seconds=1)

    def _create_publishing_post(self, request):
        self._customer(request)
        body = request.json
        if not isinstance(body, dict):
            raise EmulatorHTTPError(415, {"error": "Request body must be JSON"})
        if body.get("is_draft") is not True:
            raise _error(400, "Only draft posts are supported: is_draft must be true")
        group_id = body.get("group_id")
        if not any(str(group["group_id"]) == str(group_id) for group in self.groups):
            raise _error(400, f"Unknown group_id '{group_id}'")
        profile_ids = body.get("customer_profile_ids")
        if not isinstance(profile_ids, list) or not profile_ids:
            raise _error(400, "customer_profile_ids is required")
        profiles = []
        for value in profile_ids:
            profile = next((p for p in self.profiles if str(p["customer_profile_id"]) == str(value)), None)
            if profile is None or int(group_id) not in profile["groups"]:
                raise _error(400, f"Profile {value} does not belong to group {group_id}")
            if profile["network_type"] not in PUBLISHABLE_NETWORKS:
                raise _error(400, f"Posts cannot be created for {profile['network_type']} profiles")
            profiles.append(profile)
        media = self._post_media(body.get("media") or [])
        times = self._scheduled_times(body.get("delivery"))
        for tag in body.get("tag_ids") or []:
            if not any(str(known["tag_id"]) == str(tag) for known in self.tags):
                raise _error(400, f"Unknown tag_id '{tag}'")
        now = _iso(datetime.now(UTC))
        created = []
        for profile in profiles:
            post_id = next(self._publishing_ids)
            network = profile["network_type"].split("_")[0].upper()
            for moment in times or [None]:
                delivery = {"type": "SCHEDULED", "delivery_status": "PENDING"}
                if moment is not None:
                    delivery["scheduled_time"] = _iso(moment)
                created.append(
                    {
                        "post_category": "POST",
                        "post_type": "INSTAGRAM_MEDIA" if network == "INSTAGRAM" else f"{network}_POST",
                        "customer_profile_id": str(profile["customer_profile_id"]),
                        "profile_guid": f"{network[:2].lower()}pr:{profile['native_id']}",
                        "internal": {
                            "publishing": {
                                "publishing_post_id": post_id,
                                "group_id": int(group_id),
                                "is_draft": True,
                                "text": body.get("text"),
                                "perma_link": f"https://app.sproutsocial.com/publishing/activity/"
                                f"{self.customer_id}/{post_id}",
                                "deliveries": [delivery],
                                "media": media,
                                "created_time": now,
                                "updated_time": now,
                            }
                        },
                    }
                )
        return self._made(created)

    def _made(self, created):
        """Keep the drafts made; answer them, or the failure armed in ``fail_after_making``
        (Sprout made the drafts, then its gateway gave up on the answer)."""
        self.publishing_posts.extend(created)
        if self.fail_after_making:
            raise _error(self.fail_after_making.pop(0), "Gateway timeout")
        return {"data": created}

    def _post_media(self, media):
        result = []
        for item in media:
            known = self.media.get((item or {}).get("media_id"))
            if known is None:
                raise _error(400, f"Unknown media_id '{(item or {}).get('media_id')}'")
            if known["expires"] <= datetime.now(UTC):
                raise _error(400, f"Media {item['media_id']} has expired")
            if item.get("media_type") not in ("PHOTO", "VIDEO"):
                raise _error(400, "media_type must be PHOTO or VIDEO")
            result.append({"id": item["media_id"], "media_type": item["media_type"]})
        return result

    @staticmethod
    def _scheduled_times(delivery):
        """The delivery's times, seconds rounded down; each must be in the future."""
        if not delivery:
            return []
        if delivery.get("type") != "SCHEDULED":
            raise _error(400, "delivery.type must be SCHEDULED")
        times = []
        for text in delivery.get("scheduled_times") or []:
            try:
                moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            except (TypeError, ValueError):
                raise _error(400, f"Invalid scheduled time '{text}'") from None
            moment = moment.replace(second=0)
            if moment <= datetime.now(UTC):
                raise _error(400, f"Scheduled time {text} is not in the future")
            times.append(moment)
        return times

    def _get_publishing_post(self, request):
        self._customer(request)
        wanted = str(request.params["publishing_post_id"])
        found = [
            post
            for post in self.publishing_posts
            if str(post["internal"]["publishing"]["publishing_post_id"]) == wanted
        ]
        if not found:
            raise _error(404, f"Publishing post {wanted} not found")
        return {"data": found}


# ---------------------------------------------------------------------- sample data
def load_sample(emulator, *, messages_per_profile=3, start=None):
    """ACME's two groups and three profiles, tags, two users and a few inbox messages
    each, created over the last hours; returns their ids by name."""
    start = start or datetime.now(UTC).replace(microsecond=0) - timedelta(hours=6)
    shops = emulator.add_group("ACME Shops")
    brand = emulator.add_group("ACME Brand")
    instagram = emulator.add_profile(
        "instagram", "ACME", native_name="acme.pt", native_id="17841400000000001", groups=[shops, brand]
    )
    gmb = emulator.add_profile(
        "google_my_business",
        "ACME Lisboa",
        native_name=None,
        native_id="13955863841611236869",
        groups=[shops],
    )
    linkedin = emulator.add_profile(
        "linkedin_company", "ACME Portugal", native_name="acme-portugal", groups=[brand]
    )
    question = emulator.add_tag("Question")
    campaign = emulator.add_tag("Spring sale", kind="CAMPAIGN", groups=[brand])
    ana = emulator.add_user("Ana Silva", "ana@acme.example")
    emulator.add_user("Bruno Costa", "bruno@acme.example")
    texts = [
        ("Do you ship to Porto?", ("Rita", "rita.p"), (question,)),
        ("Love the new collection!", ("Miguel Santos", "msantos"), ()),
        (
            "Is the Lisbon store open on Sunday? Write me at joana@example.com",
            ("Joana", "joana_l"),
            (question,),
        ),
        ("Great service, thank you", ("Pedro", "pedro.r"), (campaign,)),
    ]
    minute = 0
    for profile in (instagram, gmb, linkedin):
        for index in range(messages_per_profile):
            text, author, tags = texts[(index + profile) % len(texts)]
            minute += 7
            emulator.add_message(
                profile,
                text,
                created_time=start + timedelta(minutes=minute),
                post_type={
                    instagram: "INSTAGRAM_GRAPH_COMMENT",
                    gmb: "GOOGLE_MY_BUSINESS_REVIEW",
                    linkedin: "LINKEDIN_COMPANY_COMMENT",
                }[profile],
                author=author,
                tags=tags,
                language="pt" if "Lisbon" in text else "en",
            )
    emulator.add_message(
        instagram,
        "Yes, we ship everywhere in Portugal!",
        created_time=start + timedelta(minutes=minute + 3),
        post_type="INSTAGRAM_GRAPH_COMMENT",
        author=("ACME", "acme.pt"),
        sent_by=ana,
    )
    for profile in (instagram, gmb, linkedin):
        for days_ago in (1, 3):
            emulator.add_post(
                profile,
                f"Spring collection, day {days_ago}",
                created_time=start - timedelta(days=days_ago),
            )
    return {
        "groups": {"ACME Shops": shops, "ACME Brand": brand},
        "profiles": {"ACME": instagram, "ACME Lisboa": gmb, "ACME Portugal": linkedin},
        "tags": {"Question": question, "Spring sale": campaign},
        "users": {"Ana Silva": ana},
    }


class DemoPages(framework.DemoPages):
    """What a person uses in the demo instead of Sprout's inbox: the profiles and their
    messages, and a form to receive a new comment (the next poll brings it into Odoo)."""

    title = "Sprout Social emulator"

    def __init__(self, emulator):
        super().__init__(emulator)
        emulator.router.add("POST", "/demo/messages", self.receive_message)

    def credentials(self):
        return {"api_token": next(iter(self.emulator.api_tokens)), "customer_id": self.emulator.customer_id}

    def sections(self):
        emulator = self.emulator
        options = "".join(
            f"<option value='{profile['customer_profile_id']}'>"
            f"{escape(profile['name'])} ({escape(profile['network_type'])})</option>"
            for profile in emulator.profiles
        )
        parts = [
            f"<p>Customer {emulator.customer_id} ({escape(emulator.customer_name)}): "
            f"{len(emulator.profiles)} profiles, {len(emulator.messages)} inbox messages.</p>",
            "<form method='post' action='/demo/messages'>"
            f"<select name='profile'>{options}</select> "
            "<input name='author' placeholder='Author' value='Sofia'> "
            "<input name='text' placeholder='Comment' size='50'> <button>Receive</button></form>",
            "<ul>",
        ]
        for message in sorted(emulator.messages, key=lambda message: message["_created"], reverse=True)[:30]:
            parts.append(
                f"<li>{escape(message['created_time'])} {escape(message['post_type'])} "
                f"<b>{escape(message['from']['name'])}</b>: {escape(message['text'])}</li>"
            )
        parts.append("</ul>")
        return parts

    def receive_message(self, request):
        form = request.form
        with self.emulator.state:
            profile = int(form.get("profile") or self.emulator.profiles[0]["customer_profile_id"])
            author = form.get("author") or "Sofia"
            self.emulator.add_message(
                profile,
                form.get("text") or "Hello!",
                author=(author, re.sub(r"\W+", "", author.lower()) or "someone"),
            )
        return Response(303, b"", {"Location": "/"})


def main(argv=None):
    return demo_main(
        argv,
        description="Serve a local Sprout Social API with sample data.",
        port=DEMO["port"],
        make_emulator=lambda _demo: SproutEmulator(),
        load_demo=_load_demo,
        describe=lambda emulator: (
            f"Sprout Social emulator on {emulator.base_url} (its page there receives new comments)\n"
            "Demo backend values (Connectors > Sprout Social):\n"
            f"  API URL    {emulator.base_url}\n"
            f"  API token  {next(iter(emulator.api_tokens))}\n"
            f"  or OAuth client {DEMO_CLIENT_ID} / {DEMO_CLIENT_SECRET},\n"
            f"  token URL  {emulator.base_url}{TOKEN_PATH}"
        ),
    )


def _load_demo(emulator):
    ids = load_sample(emulator)
    # A customer in a hurry, for the demo's lead rule: a lead with a to-do for the team.
    emulator.add_message(
        ids["profiles"]["ACME"],
        "URGENT: my order arrived broken, can someone call me?",
        created_time=datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1),
        post_type="INSTAGRAM_DIRECT_MESSAGE",
        author=("Sofia Reis", "sofia.reis"),
    )
    DemoPages(emulator)


if __name__ == "__main__":
    raise SystemExit(main())
