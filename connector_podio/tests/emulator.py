"""A local Podio API for the connector's tests and demo, built from the platform notes.

It keeps API clients, users, organisations, spaces, apps (with typed fields), items with
their revisions, and hooks in memory, and answers with the payload shapes the notes give:
``Authorization: OAuth2 <token>``, the form-encoded token endpoint with the ``password``,
``app``, ``refresh_token`` and ``authorization_code`` grants, 8-hour access tokens
(401 ``invalid_token`` / ``expired_token`` once expired), 400 ``invalid_grant`` for a dead
refresh token, the ``X-Rate-Limit-Limit`` / ``X-Rate-Limit-Remaining`` headers, 420 when a
quota is spent, HTML-escaped app names and labels, global revision ids distinct from the
items' revision numbers, and the filter endpoint (offset paging, ``last_edit_on`` ranges).

Hooks are created inactive; Podio's ``hook.verify`` and the item events are form-encoded
POSTs queued in :attr:`PodioEmulator.outbox`: tests deliver them when they choose
(:meth:`PodioEmulator.deliver_pending`), in any order and as often as they like; the demo
delivers them in the background. Nothing is signed (Podio signs nothing).

Run the demo: ``python3 scripts/serve_emulator.py connector_podio --port 8393 --demo``.
"""

import copy
import itertools
import logging
import secrets
import time
from datetime import datetime, timedelta, timezone
from html import escape
from urllib.parse import urlsplit

import requests

from odoo.addons.connector_base.tests import emulator as framework
from odoo.addons.connector_base.tests.emulator import (
    Emulator,
    EmulatorHTTPError,
    PendingDelivery,
    Quota,
    Response,
    demo_main,
)

_logger = logging.getLogger(__name__)

# The demo `make run` serves (scripts/suite.py reads this literal without importing the file).
DEMO = {"backend_model": "podio.backend", "port": 8393}

DEMO_CLIENT_ID = "odoo-connector-demo"
DEMO_CLIENT_SECRET = "dem0" + "5ec7e7c1a2b3c4d5" * 3
DEMO_USERNAME = "ana@example.com"
DEMO_PASSWORD = "demo-password-4f1c"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
ACCESS_TOKEN_LIFETIME = 28800  # 8 hours
FILTER_DEFAULT_LIMIT = 30
# Third-party sources say 500; the emulator refuses more, as the connector must never ask it.
FILTER_MAX_LIMIT = 500
SORT_KEYS = {
    "last_edit_on": lambda item: (item["current_revision"]["created_on"], item["item_id"]),
    "created_on": lambda item: (item["created_on"], item["item_id"]),
    "item_id": lambda item: item["item_id"],
    "app_item_id": lambda item: item["app_item_id"],
}
# Podio's general quota (1,000 calls per hour per user and API key) and its two headers.
GENERAL_QUOTA = 1000
# Hook calls made at once in the background (start_auto_delivery).
AUTO_DELIVERY_SENDERS = 8
QUOTA_HEADERS = {"max": "X-Rate-Limit-Limit", "remaining": "X-Rate-Limit-Remaining"}
# A global revision id looks like the notes' example (item at revision 40: 1447506510).
FIRST_REVISION_ID = 1447506000
FIRST_ITEM_ID = 2781234000


def _now():
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _stamp(moment):
    return moment.strftime(TIME_FORMAT)


def podio_error(status, error, description, detail=None):
    """Podio's error body (notes, Errors)."""
    body = {
        "error": error,
        "error_description": description,
        "error_detail": detail,
        "error_parameters": {},
        "error_propagate": False,
    }
    return EmulatorHTTPError(status, body)


# ---------------------------------------------------------------------- field values in Podio's shapes
def text_value(text):
    return [{"value": text}]


def number_value(number):
    return [{"value": f"{float(number):.4f}"}]


def money_value(amount, currency):
    return [{"value": f"{float(amount):.4f}", "currency": currency}]


def email_values(*pairs):
    """``("work", "ana@example.com"), ...``"""
    return [{"type": kind, "value": value} for kind, value in pairs]


phone_values = email_values


def location_value(formatted, **parts):
    """``street_address``, ``postal_code``, ``city``, ``state``, ``country``, ``lat``, ``lng``..."""
    return [{"value": formatted, "formatted": formatted, "map_in_sync": True, **parts}]


def date_value(start_utc, end_utc=None, *, utc_offset_hours=1):
    """A date value: ``start_utc`` / ``end_utc`` are "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS" in UTC;
    the local keys are shifted by the API user's offset, as Podio gives them."""

    def side(name, text):
        if text is None:
            return {}
        if len(text) == 10:
            return {
                name: f"{text} 00:00:00",
                f"{name}_date": text,
                f"{name}_time": None,
                f"{name}_utc": f"{text} 00:00:00",
                f"{name}_date_utc": text,
                f"{name}_time_utc": None,
            }
        moment = datetime.strptime(text, TIME_FORMAT)
        local = moment + timedelta(hours=utc_offset_hours)
        return {
            name: _stamp(local),
            f"{name}_date": local.strftime("%Y-%m-%d"),
            f"{name}_time": local.strftime("%H:%M:%S"),
            f"{name}_utc": text,
            f"{name}_date_utc": moment.strftime("%Y-%m-%d"),
            f"{name}_time_utc": moment.strftime("%H:%M:%S"),
        }

    return [{**side("start", start_utc), **side("end", end_utc)}]


def category_values(*options):
    """``(id, text), ...``: the chosen options of a category field."""
    return [
        {"value": {"id": option_id, "text": text, "status": "active", "color": "DCEBD8"}}
        for option_id, text in options
    ]


def app_values(*item_ids):
    """References to items of another app; the emulator answers them with the item's id,
    ``app_item_id``, title, app and link, as Podio does."""
    return [{"value": {"item_id": item_id}} for item_id in item_ids]


def contact_values(*profiles):
    """``(profile_id, name, [mails]), ...``: Podio users or space contacts."""
    return [
        {
            "value": {
                "profile_id": profile_id,
                "user_id": profile_id + 1000,
                "name": name,
                "type": "user",
                "mail": list(mails),
            }
        }
        for profile_id, name, mails in profiles
    ]


def int_value(number):
    """A progress (0-100) or a duration (seconds)."""
    return [{"value": int(number)}]


def embed_value(embed_id, url, title=None):
    """A link field (type ``embed``)."""
    return [{"embed": {"embed_id": embed_id, "url": url, "original_url": url, "title": title}, "file": None}]


def file_values(*files):
    """Files of an image or file field, each ``{"file_id", "name", "link", "mimetype", "size"}``
    as :meth:`PodioEmulator.add_file` gives it."""
    return [{"value": dict(file)} for file in files]


# The fields of the sample contacts app: (external id, type, label, settings).
CONTACT_FIELDS = (
    ("title", "text", "Name", {"size": "small"}),
    ("company", "text", "Company", {"size": "small"}),
    ("email", "email", "Email", {}),
    ("phone", "phone", "Phone", {}),
    ("address", "location", "Address", {}),
    (
        "status",
        "category",
        "Status",
        {
            "multiple": False,
            "options": [
                {"id": 1, "text": "Lead", "status": "active", "color": "DCEBD8"},
                {"id": 2, "text": "Customer", "status": "active", "color": "FFD5C2"},
            ],
        },
    ),
    ("customer-since", "date", "Customer since", {"calendar": False, "end": "disabled", "time": "disabled"}),
    ("score", "number", "Score", {"decimals": 0}),
    ("budget", "money", "Budget", {"allowed_currencies": ["EUR", "USD"]}),
)


class Delivery(PendingDelivery):
    """One hook call waiting to be made; its body is the form."""

    @property
    def type(self):
        return self.body["type"]


class PodioEmulator(Emulator):
    """Podio on 127.0.0.1: one API client, one user, the organisations, apps and items added."""

    # The ids of the items and revisions made while a demo runs: none an earlier run gave (demo_main).
    RUNTIME_ID_COUNTERS = ("_item_ids", "_revision_ids")

    def __init__(self, *, client_id=DEMO_CLIENT_ID, client_secret=DEMO_CLIENT_SECRET):
        super().__init__()
        self.quotas = (self.general_quota(GENERAL_QUOTA),)
        self.clients = {client_id: client_secret}
        self.users = {DEMO_USERNAME: {"password": DEMO_PASSWORD, "user_id": 1234567}}
        self.access_tokens = {}  # token -> {"ref": {...}, "expires_at": epoch, "client_id": ...}
        self.refresh_tokens = {}  # token -> {"ref": {...}, "client_id": ...}
        self.codes = {}  # authorization code -> ref
        self.orgs = {}
        self.spaces = {}
        self.apps = {}
        self.items = {}
        # (app id, sort key, descending) -> the app's items in that order, until an item changes:
        # paging through a big app sorts it once, not once a page.
        self._item_order = {}
        self.revisions = {}  # item id -> [revision, ...] oldest first
        self.hooks = {}
        self.files = {}  # file id -> content
        self.outbox = []  # Delivery objects not sent yet
        self.delivery_log = []  # (hook id, type, HTTP status or error text)
        self.viewed = set()  # items whose notifications a read marked as viewed
        self.api_writes = []  # (item id, revision number) of each create or update made through the API
        # What PUT /item answers as "revision" (see _put_item): the number unless set.
        self.write_answers_revision_id = False
        # Podio allows hooks on ports 80 and 443 only; tests and the demo serve Odoo elsewhere.
        self.hook_ports = None
        self._ids = itertools.count(1)
        self._item_ids = itertools.count(FIRST_ITEM_ID)
        self._revision_ids = itertools.count(FIRST_REVISION_ID)
        self._routes()

    @staticmethod
    def general_quota(most):
        """The hourly quota every answer reports; tests lower it to reach its end quickly."""
        return Quota("general", most, 3600 * 1000, QUOTA_HEADERS)

    # ------------------------------------------------------------------ auth
    def _issue(self, ref, client_id):
        access, refresh = secrets.token_hex(64), secrets.token_hex(16)  # Podio's: 128 characters
        self.access_tokens[access] = {
            "ref": ref,
            "client_id": client_id,
            "expires_at": time.time() + ACCESS_TOKEN_LIFETIME,
        }
        self.refresh_tokens[refresh] = {"ref": ref, "client_id": client_id}
        return {
            "access_token": access,
            "token_type": "bearer",
            "expires_in": ACCESS_TOKEN_LIFETIME,
            "refresh_token": refresh,
            "scope": "global:all" if ref["type"] == "user" else f"app:{ref['id']}:all",
            "ref": ref,
        }

    def _post_token(self, request):
        form = request.form
        if self.clients.get(form.get("client_id")) != form.get("client_secret") or not form.get("client_id"):
            raise podio_error(401, "invalid_client", "Invalid client_id or client_secret")
        grant = form.get("grant_type")
        client_id = form["client_id"]
        if grant == "password":
            user = self.users.get(form.get("username"))
            if not user or user["password"] != form.get("password"):
                raise podio_error(400, "invalid_grant", "Invalid user credentials")
            return self._issue({"type": "user", "id": user["user_id"]}, client_id)
        if grant == "app":
            app = self.apps.get(_int(form.get("app_id")))
            if not app or app["_token"] != form.get("app_token"):
                raise podio_error(400, "invalid_grant", "Invalid app credentials")
            return self._issue({"type": "app", "id": app["app_id"]}, client_id)
        if grant == "refresh_token":
            held = self.refresh_tokens.get(form.get("refresh_token"))
            if not held or held["client_id"] != client_id:
                raise podio_error(400, "invalid_grant", "Invalid refresh_token")
            answer = self._issue(held["ref"], client_id)
            # Refreshing gives the same refresh token back (notes: unconfirmed, store whatever comes).
            del self.refresh_tokens[answer["refresh_token"]]
            answer["refresh_token"] = form["refresh_token"]
            return answer
        if grant == "authorization_code":
            ref = self.codes.pop(form.get("code"), None)
            if ref is None:
                raise podio_error(400, "invalid_grant", "Invalid authorization code")
            return self._issue(ref, client_id)
        raise podio_error(400, "unsupported_grant_type", f"Grant type {grant!r} is not supported")

    def authenticate(self, request):
        header = request.headers.get("Authorization") or ""
        scheme, _, token = header.partition(" ")
        held = self.access_tokens.get(token) if scheme == "OAuth2" else None
        if held is None:
            raise podio_error(401, "invalid_token", "invalid_token")
        if held["expires_at"] <= time.time():
            raise podio_error(401, "invalid_token", "expired_token")
        return held["ref"]

    def quota_holder(self, request, quota):
        held = self.access_tokens.get((request.headers.get("Authorization") or "").partition(" ")[2])
        return repr(held and (held["client_id"], held["ref"]["type"], held["ref"]["id"]))

    def expire_access_tokens(self):
        """Eight hours pass: every access token answers 401 expired_token."""
        for held in self.access_tokens.values():
            held["expires_at"] = 0

    def revoke_refresh_tokens(self):
        """The 28 days pass unused (or the user revokes): refreshing answers 400 invalid_grant."""
        self.refresh_tokens.clear()

    def authorization_code(self, username=DEMO_USERNAME):
        """What the consent page would hand back to the redirect URI."""
        code = secrets.token_hex(8)
        self.codes[code] = {"type": "user", "id": self.users[username]["user_id"]}
        return code

    # ------------------------------------------------------------------ routing
    def _routes(self):
        self.route("POST", "/oauth/token", self._post_token, public=True)
        for method, pattern, handler in (
            ("GET", "/org/", self._get_orgs),
            ("GET", "/space/{space_id}", self._get_space),
            ("GET", "/app/space/{space_id}/", self._get_space_apps),
            ("GET", "/app/{app_id}", self._get_app),
            ("POST", "/item/app/{app_id}/filter/", self._filter_items),
            ("POST", "/item/app/{app_id}/", self._post_item),
            ("GET", "/item/app/{app_id}/external_id/{external_id}", self._get_item_by_external_id),
            ("GET", "/item/{item_id}", self._get_item),
            ("PUT", "/item/{item_id}", self._put_item),
            ("DELETE", "/item/{item_id}", self._delete_item),
            ("GET", "/item/{item_id}/revision/", self._get_revisions),
            ("GET", "/files/{file_id}", self._get_file_content),
            ("GET", "/hook/app/{app_id}/", self._get_hooks),
            ("POST", "/hook/app/{app_id}/", self._post_hook),
            ("DELETE", "/hook/{hook_id}", self._delete_hook),
            ("POST", "/hook/{hook_id}/verify/request", self._request_verification),
            ("POST", "/hook/{hook_id}/verify/validate", self._validate_hook),
        ):
            self.route(method, pattern, handler)

    # ------------------------------------------------------------------ faults
    def fail_next(self, status, *, times=1, route=None, method=None):
        """The next ``times`` matching calls answer ``status`` with Podio's body (420: the
        rate-limit headers with nothing left)."""
        bodies = {
            420: ("rate_limit", "You have hit the rate limit. Please wait 300 seconds before trying again"),
            401: ("invalid_token", "invalid_token"),
            500: ("unavailable", "The service is temporarily unavailable"),
            502: ("unavailable", "Bad gateway"),
            503: ("unavailable", "The service is temporarily unavailable"),
        }
        error, description = bodies.get(status, ("unavailable", "Error"))
        body = podio_error(status, error, description).response.body
        headers = {"Content-Type": "application/json"}
        if status == 420:
            headers.update(self.exhausted_quota_headers())
        return self.faults.add(status, body=body, headers=headers, times=times, route=route, method=method)

    # ------------------------------------------------------------------ building data
    def _new_id(self):
        return next(self._ids)

    def add_org(self, name):
        org_id = 100000 + self._new_id()
        self.orgs[org_id] = {"org_id": org_id, "name": name, "url_label": _label(name), "spaces": []}
        return org_id

    def add_space(self, org_id, name):
        space_id = 200000 + self._new_id()
        space = {
            "space_id": space_id,
            "name": name,
            "org_id": org_id,
            "url_label": _label(name),
            "url": f"https://podio.com/{self.orgs[org_id]['url_label']}/{_label(name)}",
        }
        self.spaces[space_id] = space
        self.orgs[org_id]["spaces"].append(space)
        return space_id

    def add_app(self, space_id, name, item_name, fields=CONTACT_FIELDS):
        """An app whose ``name`` Podio answers HTML-escaped; ``fields``: (external id, type,
        label, settings) tuples. Returns the app id; ``app["_token"]`` is its app token."""
        app_id = 30000000 + self._new_id()
        definitions = []
        for external_id, kind, label, settings in fields:
            field_id = 250000000 + self._new_id()
            definitions.append(
                {
                    "field_id": field_id,
                    "external_id": external_id,
                    "type": kind,
                    "label": escape(label, quote=False),
                    "status": "active",
                    "config": {
                        "label": escape(label, quote=False),
                        "description": None,
                        "required": external_id == "title",
                        "delta": len(definitions),
                        "hidden": False,
                        "settings": copy.deepcopy(settings),
                    },
                }
            )
        self.apps[app_id] = {
            "app_id": app_id,
            "space_id": space_id,
            "status": "active",
            "config": {
                "name": escape(name, quote=False),
                "item_name": escape(item_name, quote=False),
                "external_id": _label(name),
            },
            "fields": definitions,
            "_token": secrets.token_hex(16),
            "_items": 0,
        }
        return app_id

    def app_token(self, app_id):
        return self.apps[app_id]["_token"]

    # ------------------------------------------------------------------ items (a person working in Podio)
    def add_item(self, app_id, values, *, external_id=None, when=None, hook=True, via_api=False):
        """Create an item from ``{field external id: values list}`` (the helpers above give the
        shapes); queues its ``item.create`` hooks (none with ``hook=False``, as ``?hook=false``
        mutes every hook of the write). Returns the item id."""
        app = self.apps[app_id]
        moment = _stamp(when or _now())
        item_id = next(self._item_ids)
        app["_items"] += 1
        item = {
            "item_id": item_id,
            "app_item_id": app["_items"],
            "external_id": external_id,
            "app": self._app_summary(app),
            "link": f"https://podio.com/demo/apps/{app['config']['external_id']}/items/{app['_items']}",
            "created_on": moment,
            "created_by": {"type": "user", "id": 1234567, "name": "Ana Silva"},
            "created_via": {"id": 1, "name": "Podio"},
            "_values": {},
        }
        self.items[item_id] = item
        self.revisions[item_id] = []
        self._set_values(item, values)
        revision = self._revise(item, moment)
        if via_api:
            self.api_writes.append((item_id, revision["revision"]))
        if hook:
            self._emit(app_id, "item.create", item, revision)
        return item_id

    def update_item(self, item_id, values, *, when=None, hook=True, via_api=False):
        """Change field values (a list replaces a field's values, [] clears it): one new revision.
        Returns the revision number (``via_api``: the whole revision)."""
        item = self._item(item_id)
        self._set_values(item, values)
        revision = self._revise(item, _stamp(when or _now()))
        if via_api:
            self.api_writes.append((item["item_id"], revision["revision"]))
        if hook:
            self._emit(item["app"]["app_id"], "item.update", item, revision)
        return revision if via_api else revision["revision"]

    def delete_item(self, item_id):
        item = self.items.pop(item_id)
        self._item_order.clear()
        revision = {"item_revision_id": next(self._revision_ids)}
        self._emit(item["app"]["app_id"], "item.delete", item, revision)

    def _item(self, item_id):
        item = self.items.get(_int(item_id))
        if item is None:
            raise podio_error(404, "not_found", "Object not found")
        return item

    def _set_values(self, item, values):
        fields = {field["external_id"]: field for field in self.apps[item["app"]["app_id"]]["fields"]}
        by_id = {str(field["field_id"]): field for field in fields.values()}
        for key, field_values in values.items():
            field = fields.get(str(key)) or by_id.get(str(key))
            if field is None:
                raise podio_error(400, "invalid_value", f"No field with id or external_id {key}")
            if field_values:
                item["_values"][field["external_id"]] = copy.deepcopy(field_values)
            else:
                item["_values"].pop(field["external_id"], None)

    def _revise(self, item, moment):
        history = self.revisions[item["item_id"]]
        revision = {
            "revision": len(history),
            "item_revision_id": next(self._revision_ids),
            "app_revision": 1,
            "created_by": {"type": "user", "id": 1234567, "name": "Ana Silva"},
            "created_via": {"id": 1, "name": "Podio"},
            "created_on": moment,
            "type": "creation" if not history else "update",
        }
        history.append(revision)
        summary = {
            key: revision[key]
            for key in ("revision", "app_revision", "created_by", "created_via", "created_on")
        }
        item["current_revision"] = summary
        item["initial_revision"] = {
            key: history[0][key]
            for key in ("revision", "app_revision", "created_by", "created_via", "created_on")
        }
        item["last_event_on"] = moment
        self._item_order.clear()
        return revision

    @staticmethod
    def _app_summary(app):
        return {
            "app_id": app["app_id"],
            "name": app["config"]["name"],
            "item_name": app["config"]["item_name"],
        }

    def _render(self, item, *, copied=True):
        """The item as Podio answers it: only fields with values, with their definitions.
        ``copied=False`` shares the emulator's own values, for a handler whose answer is
        serialized at once under the state lock (a page of 100 items spent most of its time
        in deep copies nobody kept)."""
        copy_of = copy.deepcopy if copied else _same
        app = self.apps[item["app"]["app_id"]]
        fields = [
            {
                "field_id": field["field_id"],
                "external_id": field["external_id"],
                "type": field["type"],
                "label": field["label"],
                "config": field["config"],
                "values": self._rendered_values(field, item["_values"][field["external_id"]], copy_of),
            }
            for field in app["fields"]
            if field["external_id"] in item["_values"]
        ]
        title = next((values[0]["value"] for key, values in item["_values"].items() if key == "title"), "")
        public = {key: copy_of(value) for key, value in item.items() if not key.startswith("_")}
        return {**public, "title": title, "fields": fields}

    def _rendered_values(self, field, values, copy_of):
        """A field's values as Podio answers them: an app reference carries the referenced
        item's id, number, title, app and link (a deleted item's reference is gone)."""
        # A file's link below is set on the answer, never on the item itself.
        values = copy.deepcopy(values) if field["type"] in ("image", "file") else copy_of(values)
        if field["type"] in ("image", "file") and self._server is not None:
            for value in values:  # the file's address, here on the emulator's host
                value["value"]["link"] = self.url(f"/files/{value['value']['file_id']}")
        if field["type"] != "app":
            return values
        rendered = []
        for value in values:
            referenced = self.items.get(value["value"]["item_id"])
            if referenced is not None:
                rendered.append(
                    {
                        "value": {
                            "item_id": referenced["item_id"],
                            "app_item_id": referenced["app_item_id"],
                            "title": referenced["_values"].get("title", [{"value": ""}])[0]["value"],
                            "app": copy_of(referenced["app"]),
                            "link": referenced["link"],
                        }
                    }
                )
        return rendered

    def add_file(self, name, content, mimetype="application/octet-stream"):
        """A file uploaded to Podio, to attach to an image or file field (:func:`file_values`)."""
        file_id = 700000000 + self._new_id()
        self.files[file_id] = bytes(content)
        return {
            "file_id": file_id,
            "name": name,
            "link": f"https://files.podio.com/{file_id}",
            "mimetype": mimetype,
            "size": len(content),
        }

    # ------------------------------------------------------------------ handlers
    def _check_app_access(self, caller, app_id):
        """App authentication reaches its own app only."""
        if caller["type"] == "app" and caller["id"] != app_id:
            raise podio_error(403, "forbidden", "The app token may only access its own app")

    def _get_orgs(self, request):
        if request.caller["type"] == "app":
            raise podio_error(403, "forbidden", "Only users can list organizations")
        return list(self.orgs.values())

    def _get_space(self, request):
        space = self.spaces.get(_int(request.params["space_id"]))
        if space is None:
            raise podio_error(404, "not_found", "Object not found")
        return space

    def _get_space_apps(self, request):
        space_id = _int(request.params["space_id"])
        if space_id not in self.spaces:
            raise podio_error(404, "not_found", "Object not found")
        return [
            {key: copy.deepcopy(app[key]) for key in ("app_id", "space_id", "status", "config")}
            for app in self.apps.values()
            if app["space_id"] == space_id
            and (request.caller["type"] == "user" or request.caller["id"] == app["app_id"])
        ]

    def _get_app(self, request):
        app = self.apps.get(_int(request.params["app_id"]))
        if app is None:
            raise podio_error(404, "not_found", "Object not found")
        self._check_app_access(request.caller, app["app_id"])
        return {key: copy.deepcopy(value) for key, value in app.items() if not key.startswith("_")}

    def _filter_items(self, request):
        app_id = _int(request.params["app_id"])
        if app_id not in self.apps:
            raise podio_error(404, "not_found", "Object not found")
        self._check_app_access(request.caller, app_id)
        body = request.json or {}
        limit = int(body.get("limit", FILTER_DEFAULT_LIMIT))
        offset = int(body.get("offset", 0))
        if not 1 <= limit <= FILTER_MAX_LIMIT or offset < 0:
            raise podio_error(400, "invalid_value", f"limit must be between 1 and {FILTER_MAX_LIMIT}")
        sort_by = body.get("sort_by") or "created_on"
        if sort_by not in SORT_KEYS:
            raise podio_error(400, "invalid_value", f"Unknown sort_by {body.get('sort_by')!r}")
        items = self._sorted_items(app_id, sort_by, bool(body.get("sort_desc")))
        total = len(items)
        for key, bounds in (body.get("filters") or {}).items():
            if key not in ("last_edit_on", "created_on"):
                raise podio_error(400, "invalid_value", f"Filter {key!r} is not supported here")
            items = [
                item
                for item in items
                if _in_range(_edited(item) if key == "last_edit_on" else item["created_on"], bounds)
            ]
        page = items[offset : offset + limit]
        return {
            "total": total,
            "filtered": len(items),
            "items": [self._render(item, copied=False) for item in page],
        }

    def _sorted_items(self, app_id, sort_by, descending):
        """The app's items sorted by ``sort_by`` (a key of ``SORT_KEYS``), kept until an item changes."""
        key = (app_id, sort_by, descending)
        if key not in self._item_order:
            items = [item for item in self.items.values() if item["app"]["app_id"] == app_id]
            items.sort(key=SORT_KEYS[sort_by], reverse=descending)
            self._item_order[key] = items
        return self._item_order[key]

    def _get_item(self, request):
        item = self._item(request.params["item_id"])
        self._check_app_access(request.caller, item["app"]["app_id"])
        if request.query.get("mark_as_viewed", "1").lower() not in ("0", "false"):
            self.viewed.add(item["item_id"])
        return self._render(item)

    def _post_item(self, request):
        app_id = _int(request.params["app_id"])
        if app_id not in self.apps:
            raise podio_error(404, "not_found", "Object not found")
        self._check_app_access(request.caller, app_id)
        body = request.json or {}
        values = self._written_fields(app_id, body.get("fields"))
        item_id = self.add_item(
            app_id, values, external_id=body.get("external_id"), hook=_hooks_wanted(request), via_api=True
        )
        item = self.items[item_id]
        return {
            "item_id": item_id,
            "app_item_id": item["app_item_id"],
            "title": self._render(item)["title"],
            "revision": item["current_revision"]["revision"],
        }

    def _put_item(self, request):
        item = self._item(request.params["item_id"])
        self._check_app_access(request.caller, item["app"]["app_id"])
        body = request.json or {}
        if "revision" in body and body["revision"] != item["current_revision"]["revision"]:
            raise podio_error(409, "conflict", "The item has been updated since the given revision")
        if "external_id" in body:
            item["external_id"] = body["external_id"]
        values = self._written_fields(item["app"]["app_id"], body.get("fields"))
        revision = self.update_item(item["item_id"], values, hook=_hooks_wanted(request), via_api=True)
        # The docs call it "the id of the new revision": whether that is the revision number
        # or a global revision id is not confirmed; ``write_answers_revision_id`` gives the latter.
        answered = revision["item_revision_id"] if self.write_answers_revision_id else revision["revision"]
        return {"revision": answered, "title": self._render(item)["title"]}

    def _written_fields(self, app_id, fields):
        """A write's ``fields`` map stored as Podio returns the values: a category takes
        option ids, an app reference item ids (one or a list), a money its amount as a
        decimal string; the other types as :func:`_written` says. An unknown option or item
        is refused, as Podio does."""
        by_key = {}
        for field in self.apps[app_id]["fields"]:
            by_key[field["external_id"]] = by_key[str(field["field_id"])] = field
        values = {}
        for key, value in (fields or {}).items():
            field = by_key.get(str(key))
            kind = field and field["type"]
            if kind == "category" and not (isinstance(value, list) and value and isinstance(value[0], dict)):
                options = {option["id"]: option for option in field["config"]["settings"]["options"]}
                wanted = value if isinstance(value, list) else [value]
                if any(_int(option_id) not in options for option_id in wanted):
                    raise podio_error(400, "invalid_value", f"Invalid option for field {key}")
                values[key] = [{"value": copy.deepcopy(options[_int(option_id)])} for option_id in wanted]
            elif kind == "app" and not (isinstance(value, list) and value and isinstance(value[0], dict)):
                wanted = value if isinstance(value, list) else [value]
                if any(_int(item_id) not in self.items for item_id in wanted):
                    raise podio_error(400, "invalid_value", f"Invalid reference for field {key}")
                values[key] = app_values(*(_int(item_id) for item_id in wanted))
            elif kind == "money" and isinstance(value, dict):
                values[key] = money_value(value["value"], value["currency"])
            else:
                values[key] = _written(value)
        return values

    def _get_item_by_external_id(self, request):
        app_id = _int(request.params["app_id"])
        if app_id not in self.apps:
            raise podio_error(404, "not_found", "Object not found")
        self._check_app_access(request.caller, app_id)
        wanted = request.params["external_id"]
        for item in self.items.values():
            if item["app"]["app_id"] == app_id and item.get("external_id") == wanted:
                return self._render(item)
        raise podio_error(404, "not_found", "Object not found")

    def _delete_item(self, request):
        item = self._item(request.params["item_id"])
        self._check_app_access(request.caller, item["app"]["app_id"])
        self.delete_item(item["item_id"])
        return Response(204)

    def _get_file_content(self, request):
        """A file's content at its ``link`` (the notes give the key, not how Podio serves it:
        here, to the same OAuth2 token as the API)."""
        content = self.files.get(_int(request.params["file_id"]))
        if content is None:
            raise podio_error(404, "not_found", "Object not found")
        return Response(200, content, {"Content-Type": "application/octet-stream"})

    def _get_revisions(self, request):
        item = self._item(request.params["item_id"])
        self._check_app_access(request.caller, item["app"]["app_id"])
        return copy.deepcopy(self.revisions[item["item_id"]])

    # ------------------------------------------------------------------ hooks
    def _get_hooks(self, request):
        app_id = _int(request.params["app_id"])
        self._check_app_access(request.caller, app_id)
        return [
            {key: hook[key] for key in ("hook_id", "status", "type", "url")}
            for hook in self.hooks.values()
            if hook["ref"] == ("app", app_id)
        ]

    def _post_hook(self, request):
        app_id = _int(request.params["app_id"])
        if app_id not in self.apps:
            raise podio_error(404, "not_found", "Object not found")
        self._check_app_access(request.caller, app_id)
        body = request.json or {}
        url, hook_type = body.get("url") or "", body.get("type")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise podio_error(400, "invalid_value", "The URL is not valid")
        if (
            self.hook_ports is not None
            and (parts.port or (443 if parts.scheme == "https" else 80)) not in self.hook_ports
        ):
            raise podio_error(400, "invalid_value", "Hooks may only use port 80 or 443")
        if hook_type not in ("item.create", "item.update", "item.delete"):
            raise podio_error(400, "invalid_value", f"Hook type {hook_type!r} is not supported here")
        same_type = [
            hook
            for hook in self.hooks.values()
            if hook["ref"] == ("app", app_id) and hook["type"] == hook_type
        ]
        if len(same_type) >= 10:
            raise podio_error(400, "invalid_value", "At most 10 hooks of each type per object")
        # The query string is dropped (notes: third-party experience; the docs say it moves to the body).
        hook_id = 4526000 + self._new_id()
        self.hooks[hook_id] = {
            "hook_id": hook_id,
            "status": "inactive",
            "type": hook_type,
            "url": parts._replace(query="").geturl(),
            "ref": ("app", app_id),
            "_code": None,
        }
        self._queue_verification(self.hooks[hook_id])
        return {"hook_id": hook_id}

    def _queue_verification(self, hook):
        hook["_code"] = secrets.token_hex(4)
        self._queue(hook, {"type": "hook.verify", "hook_id": str(hook["hook_id"]), "code": hook["_code"]})

    def _hook(self, hook_id):
        hook = self.hooks.get(_int(hook_id))
        if hook is None:
            raise podio_error(404, "not_found", "Object not found")
        return hook

    def _delete_hook(self, request):
        self.hooks.pop(self._hook(request.params["hook_id"])["hook_id"])
        return Response(204)

    def _request_verification(self, request):
        hook = self._hook(request.params["hook_id"])
        hook["status"] = "inactive"
        self._queue_verification(hook)
        return Response(204)

    def _validate_hook(self, request):
        hook = self._hook(request.params["hook_id"])
        code = (request.json or {}).get("code")
        if not hook["_code"] or code != hook["_code"]:
            raise podio_error(400, "invalid_value", "The verification code is not valid")
        hook["status"] = "active"
        hook["_code"] = None
        return Response(204)

    def deactivate_hook(self, hook_id):
        """What Podio does to a hook that keeps failing (notes: unconfirmed)."""
        self.hooks[hook_id]["status"] = "inactive"

    def _emit(self, app_id, hook_type, item, revision):
        for hook in self.hooks.values():
            if hook["ref"] == ("app", app_id) and hook["type"] == hook_type and hook["status"] == "active":
                self._queue(
                    hook,
                    {
                        "type": hook_type,
                        "hook_id": str(hook["hook_id"]),
                        "item_id": str(item["item_id"]),
                        "item_revision_id": str(revision["item_revision_id"]),
                        "external_id": item.get("external_id") or "",
                    },
                )

    def _queue(self, hook, form):
        self.outbox.append(Delivery(hook["hook_id"], hook["url"], form))
        self.delivery_wanted()

    def take_pending(self):
        """The calls waiting to be made, removed from the outbox."""
        with self.state:
            pending, self.outbox = self.outbox, []
        return pending

    def deliver_pending(self, *, order=None, timeout=10.0):
        """POST every queued call (form-encoded) and empty the outbox; ``order`` (a list of
        indexes) sends them in another order. Returns the HTTP statuses."""
        deliveries = self.take_pending()
        if order is not None:
            deliveries = [deliveries[index] for index in order]
        statuses = []
        for delivery in deliveries:
            statuses.append(self.deliver(delivery, timeout=timeout))
        return statuses

    def start_auto_delivery(self):
        """Make the calls in the background 0.2 s after a change, each on its own, a few at a
        time (the latency benchmark's mode): the platform notes do not say Podio waits for one
        answer before making the next call."""
        self.start_concurrent_delivery(
            self.take_pending, self.deliver, senders=AUTO_DELIVERY_SENDERS, delay=0.2
        )

    def deliver(self, delivery, *, timeout=10.0):
        """Send one delivery (again, if it was sent before); returns the status or the error text."""
        try:
            status = requests.post(delivery.url, data=delivery.body, timeout=timeout).status_code
        except requests.RequestException as error:
            status = type(error).__name__
        self.delivery_log.append((delivery.hook_id, delivery.type, status))
        return status


def _same(value):
    return value


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _label(name):
    return "-".join(part for part in "".join(c.lower() if c.isalnum() else " " for c in name).split())


def _edited(item):
    return item["current_revision"]["created_on"]


def _in_range(moment, bounds):
    if not isinstance(bounds, dict):
        raise podio_error(400, "invalid_value", 'A date filter is {"from": ..., "to": ...}')
    start, end = bounds.get("from"), bounds.get("to")
    for bound in (start, end):
        if bound:
            try:
                datetime.strptime(bound, TIME_FORMAT)
            except (TypeError, ValueError):
                raise podio_error(400, "invalid_value", f"Invalid date {bound!r}") from None
    return (not start or moment >= start) and (not end or moment <= end)


def _hooks_wanted(request):
    """``?hook=false`` mutes every hook of the write (default true)."""
    return (request.query.get("hook") or "true").lower() not in ("false", "0")


def _written(value):
    """A value as written through the API, stored in the shape Podio returns (the types the
    emulator's writers send: text, typed lists, location and date dicts, numbers); an empty
    list clears the field."""
    if isinstance(value, list) and (not value or isinstance(value[0], dict)):
        return value
    if isinstance(value, dict):
        return [value]
    if isinstance(value, int | float):
        return number_value(value)
    return text_value(value) if value not in (None, "") else []


# ---------------------------------------------------------------------- sample data and the demo
SAMPLE_CONTACTS = (
    {
        "title": text_value("Ana Silva"),
        "company": text_value("Acme &amp; Sons"),
        "email": email_values(("work", "ana.silva@acme.example"), ("home", "ana@home.example")),
        "phone": phone_values(("mobile", "+351 912 345 678"), ("work", "+351 213 000 111")),
        "address": location_value(
            "Rua Augusta 1, 1100-048 Lisboa, Portugal",
            street_address="Rua Augusta 1",
            postal_code="1100-048",
            city="Lisboa",
            country="Portugal",
        ),
        "status": [{"value": {"id": 2, "text": "Customer", "status": "active", "color": "FFD5C2"}}],
        "customer-since": date_value("2024-03-15"),
        "score": number_value(8),
        "budget": money_value(1250.5, "EUR"),
    },
    {
        "title": text_value("Bruno Costa"),
        "company": text_value("Acme &amp; Sons"),
        "email": email_values(("work", "bruno.costa@acme.example")),
        "phone": phone_values(("work", "+351 213 000 222")),
    },
    {
        "title": text_value("Carla Mendes"),
        "email": email_values(("other", "carla@mendes.example")),
        "address": location_value("Porto, Portugal", city="Porto", country="Portugal"),
        "status": [{"value": {"id": 1, "text": "Lead", "status": "active", "color": "DCEBD8"}}],
    },
)


def load_sample(emulator):
    """The demo's organisation, workspace and contacts app with three contacts; returns the app id."""
    org_id = emulator.add_org("Demo Org")
    space_id = emulator.add_space(org_id, "Sales")
    app_id = emulator.add_app(space_id, "Leads & Clients", "Contact")
    for values in SAMPLE_CONTACTS:
        emulator.add_item(app_id, values)
    return app_id


STATUS_OPTIONS = ((1, "Quote"), (2, "Sent"), (3, "Won"), (4, "Lost"))
CHANNEL_OPTIONS = ((1, "Online"), (2, "Phone"), (3, "Shop"))
PRODUCT_OPTIONS = ((1, "Laser printer"), (2, "Toner cartridge"), (3, "Installation"))
# The internal reference each sample line gives its product.
PRODUCT_REFERENCES = {1: "LP-100", 2: "TON-1", 3: "SRV-INST"}


def _options(options):
    return [
        {"id": option_id, "text": text, "status": "active", "color": "DCEBD8"} for option_id, text in options
    ]


def sales_fields(contacts_app_id):
    """The sample sales app: one field of every supported type; its customer refers to the
    contacts app's items."""
    return (
        ("title", "text", "Order", {"size": "small"}),
        (
            "customer",
            "app",
            "Customer",
            {"referenced_apps": [{"app_id": contacts_app_id}], "multiple": False},
        ),
        ("status", "category", "Status", {"multiple": False, "options": _options(STATUS_OPTIONS)}),
        ("channels", "category", "Channels", {"multiple": True, "options": _options(CHANNEL_OPTIONS)}),
        ("order-date", "date", "Order date", {"calendar": False, "end": "disabled", "time": "enabled"}),
        ("delivery", "date", "Delivery window", {"calendar": True, "end": "enabled", "time": "disabled"}),
        ("salesperson", "contact", "Salesperson", {"type": "space_users", "valid_types": ["user"]}),
        ("contact-email", "email", "Contact email", {}),
        ("contact-phone", "phone", "Contact phone", {}),
        ("ship-to", "location", "Ship to", {}),
        ("notes", "text", "Notes", {"size": "large"}),
        ("expected-total", "calculation", "Expected total", {}),
        ("follow-up", "calculation", "Follow up on", {}),
        ("effort", "duration", "Effort", {}),
        ("progress", "progress", "Progress", {}),
        ("quote-link", "embed", "Quote link", {}),
        ("contract", "file", "Contract", {}),
        ("photo", "image", "Photo", {}),
    )


def line_fields(sales_app_id):
    """The sample order lines app: each line refers to its order in the sales app."""
    return (
        ("title", "text", "Description", {"size": "small"}),
        ("order", "app", "Order", {"referenced_apps": [{"app_id": sales_app_id}], "multiple": False}),
        ("product", "category", "Product", {"multiple": False, "options": _options(PRODUCT_OPTIONS)}),
        ("sku", "text", "Internal reference", {"size": "small"}),
        ("quantity", "number", "Quantity", {"decimals": 2}),
        ("unit-price", "money", "Unit price (net of tax)", {"allowed_currencies": ["EUR"]}),
    )


def line_values(order_id, product, quantity, unit_price, *, title=None, sku=None):
    """The values of one order line: ``product`` is one of :data:`PRODUCT_OPTIONS`."""
    values = {
        "title": text_value(title or product[1]),
        "order": app_values(order_id),
        "product": category_values(product),
        "quantity": number_value(quantity),
        "unit-price": money_value(unit_price, "EUR"),
    }
    if sku:
        values["sku"] = text_value(sku)
    return values


def load_sales_sample(emulator, contacts_app_id):
    """The demo's sales app and order lines app, with an order per sample contact (lines of
    the three products); returns ``(sales app id, lines app id)``."""
    space_id = emulator.apps[contacts_app_id]["space_id"]
    sales_app_id = emulator.add_app(space_id, "Sales & Orders", "Order", sales_fields(contacts_app_id))
    lines_app_id = emulator.add_app(space_id, "Order lines", "Line", line_fields(sales_app_id))
    contacts = [
        item_id for item_id, item in emulator.items.items() if item["app"]["app_id"] == contacts_app_id
    ]
    printer, toner, installation = PRODUCT_OPTIONS
    orders = (
        (contacts[0], "Printers for the Lisbon office", (3, "Won"), ((printer, 2, 480.0), (toner, 6, 35.5))),
        (contacts[1], "Toner refill", (1, "Quote"), ((toner, 10, 35.5),)),
        (
            contacts[2],
            "Printer and installation",
            (2, "Sent"),
            ((printer, 1, 480.0), (installation, 1, 120.0)),
        ),
    )
    for customer, title, status, lines in orders:
        order_id = emulator.add_item(
            sales_app_id,
            {
                "title": text_value(title),
                "customer": app_values(customer),
                "status": category_values(status),
                "channels": category_values(CHANNEL_OPTIONS[0], CHANNEL_OPTIONS[1]),
                "order-date": date_value("2025-03-01 09:30:00"),
                "delivery": date_value("2025-03-10", "2025-03-14"),
                "salesperson": contact_values((112233, "Ana Silva", ["ana@example.com"])),
                "contact-email": email_values(("work", "orders@acme.example")),
                "contact-phone": phone_values(("work", "+351 213 000 111")),
                "ship-to": location_value(
                    "Rua Augusta 1, 1100-048 Lisboa", city="Lisboa", postal_code="1100-048"
                ),
                "notes": text_value("<p>Deliver <b>before</b> noon</p>"),
                "expected-total": number_value(sum(quantity * price for _p, quantity, price in lines)),
                "follow-up": date_value("2025-03-20"),
                "effort": int_value(5400),
                "progress": int_value(40),
                "quote-link": embed_value(9001, "https://example.com/quotes/1", "Quote"),
            },
        )
        for product, quantity, price in lines:
            emulator.add_item(
                lines_app_id,
                line_values(order_id, product, quantity, price, sku=PRODUCT_REFERENCES[product[0]]),
            )
    return sales_app_id, lines_app_id


class DemoPages(framework.DemoPages):
    """What a person uses in the demo instead of Podio's web app: the contacts, and forms to
    add and rename one. Each change sends its hook."""

    title = "Podio emulator"

    def __init__(self, emulator):
        super().__init__(emulator)
        emulator.router.add("POST", "/demo/items/{app_id}", self.add_contact)
        emulator.router.add("POST", "/demo/item/{item_id}", self.change_contact)

    def credentials(self):
        return {
            "client_id": next(iter(self.emulator.clients)),
            "client_secret": next(iter(self.emulator.clients.values())),
            "username": DEMO_USERNAME,
            "password": DEMO_PASSWORD,
        }

    def sections(self):
        emulator = self.emulator
        active = sum(hook["status"] == "active" for hook in emulator.hooks.values())
        parts = [f"<p>{len(emulator.hooks)} hook(s) registered, {active} active.</p>"]
        for app in emulator.apps.values():
            parts.append(f"<h2>{app['config']['name']}</h2><ul>")
            for item in emulator.items.values():
                if item["app"]["app_id"] != app["app_id"]:
                    continue
                title = escape(item["_values"].get("title", [{"value": ""}])[0]["value"])
                parts.append(
                    f"<li><form method='post' action='/demo/item/{item['item_id']}'>"
                    f"<input name='title' value='{title}'> <button>Rename</button></form></li>"
                )
            parts.append("</ul>")
            if any(field["external_id"] == "email" for field in app["fields"]):
                parts.append(
                    f"<form method='post' action='/demo/items/{app['app_id']}'>"
                    "<input name='title' placeholder='Name'> <input name='email' placeholder='Email'> "
                    "<button>Add a contact</button></form>"
                )
        return parts

    def add_contact(self, request):
        form = request.form
        with self.emulator.state:
            values = {"title": text_value(form.get("title") or "New contact")}
            if form.get("email"):
                values["email"] = email_values(("work", form["email"]))
            self.emulator.add_item(_int(request.params["app_id"]), values)
        return Response(303, b"", {"Location": "/"})

    def change_contact(self, request):
        with self.emulator.state:
            self.emulator.update_item(
                request.params["item_id"], {"title": text_value(request.form.get("title") or "")}
            )
        return Response(303, b"", {"Location": "/"})


def main(argv=None):
    return demo_main(
        argv,
        description="Serve a local Podio with sample data.",
        port=DEMO["port"],
        make_emulator=lambda demo: PodioEmulator(),
        load_demo=_load_demo,
        describe=lambda emulator: (
            f"Podio emulator on {emulator.base_url} (its page there changes contacts and sends the hooks)\n"
            "Demo backend values (Connectors > Backends > Podio):\n"
            f"  API URL        {emulator.base_url}\n"
            f"  Client ID      {DEMO_CLIENT_ID}\n"
            f"  Client secret  {DEMO_CLIENT_SECRET}\n"
            f"  Username       {DEMO_USERNAME}\n"
            f"  Password       {DEMO_PASSWORD}"
        ),
    )


def _load_demo(emulator):
    load_sales_sample(emulator, load_sample(emulator))
    DemoPages(emulator)
    emulator.start_background_delivery(emulator.deliver_pending, delay=1.0)


if __name__ == "__main__":
    raise SystemExit(main())
