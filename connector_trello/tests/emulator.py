"""A local Trello (REST API v1) for the connector's tests, benchmark and demo.

It keeps members, boards, lists, cards, labels, checklists, comments, attachments,
custom fields, actions and webhooks in memory and answers with the payload shapes
of the platform notes. Every change, made through the API or through the helpers
below (a person working in Trello), records an action and queues a signed webhook
delivery for the webhooks watching the board. Tests deliver the queue when they
choose (:meth:`TrelloEmulator.deliver_pending`), in any order and as often as they
like; the demo delivers it in the background.

Run the demo: ``python3 scripts/serve_emulator.py connector_trello --port 8391 --demo``.
"""

import copy
import itertools
import json
import logging
import re
import secrets
import time
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from html import escape
from urllib.parse import urlencode

import requests

from odoo.addons.connector_base.tests import emulator as framework
from odoo.addons.connector_base.tests.emulator import (
    Emulator,
    EmulatorHTTPError,
    PendingDelivery,
    Quota,
    Response,
    demo_main,
    hmac_sha1_base64_body_and_url,
    page_by_id,
    send_signed_webhook,
)

_logger = logging.getLogger(__name__)

# The demo `make run` serves (scripts/suite.py reads this literal without importing the file):
# the backend model that sets itself up on the emulator, and the emulator's default port.
DEMO = {"backend_model": "trello.backend", "port": 8391}
UTC = timezone.utc  # datetime.UTC is Python 3.11+
DEMO_API_KEY = "de70a1b2c3d4e5f60718293a4b5c6d7e"
DEMO_TOKEN = "de70" + "0123456789abcdef" * 3 + "fedcba987654"
DEMO_APP_SECRET = "de70" + "f0e1d2c3b4a59687" * 3 + "0123456789ab"
SIGNATURE_HEADER = "X-Trello-Webhook"
DEMO_EPOCH = 0x65E0A000  # 2024-02-29: the demo's sample data is always "created" then
NOT_FOUND = "The requested resource was not found."
# 401 texts: the first two refuse one object to a working token, the others the credential.
NO_BOARD_ACCESS = "unauthorized permission requested"
NO_CARD_ACCESS = "unauthorized card permission requested"
# The quotas every answer reports, with their headers as recorded (platform notes).
QUOTAS = tuple(
    Quota(
        name,
        most,
        10000,
        {
            "interval_ms": f"X-Rate-Limit-{name}-Interval-Ms",
            "max": f"X-Rate-Limit-{name}-Max",
            "remaining": f"X-Rate-Limit-{name}-Remaining",
        },
    )
    for name, most in (("Api-Token", 100), ("Api-Key", 300), ("Member", 200))
)
# The labels Trello gives every new board: one per colour, without a name.
DEFAULT_LABEL_COLORS = ("green", "yellow", "orange", "red", "purple", "blue")
# Deliveries the background mode has on the way at once.
AUTO_DELIVERY_SENDERS = 8
# Actions Trello delivers to webhooks but leaves out of nested /actions listings.
WEBHOOK_ONLY_ACTIONS = frozenset(
    {
        "addLabelToCard",
        "removeLabelFromCard",
        "createCheckItem",
        "updateCheckItem",
        "deleteCheckItem",
        "createChecklist",
        "createLabel",
        "updateLabel",
        "deleteLabel",
        "deleteComment",
        "updateComment",
        "removeMemberFromBoard",
        "voteOnCard",
    }
)
CARD_FIELDS = (
    "id",
    "name",
    "desc",
    "closed",
    "idBoard",
    "idList",
    "idLabels",
    "labels",
    "idMembers",
    "idChecklists",
    "idShort",
    "shortLink",
    "shortUrl",
    "url",
    "pos",
    "start",
    "due",
    "dueComplete",
    "dateLastActivity",
    "badges",
    "isTemplate",
)
LABEL_COLORS = ("green", "yellow", "orange", "red", "purple", "blue", "sky", "lime", "pink", "black")


def sign(app_secret, raw_body, callback_url):
    """X-Trello-Webhook: base64 HMAC-SHA1 of the raw body followed by the registered callback URL."""
    return hmac_sha1_base64_body_and_url(app_secret)(raw_body, callback_url)


def _now():
    return datetime.now(UTC)


def _iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _fields(request, default):
    wanted = request.query.get("fields")
    if not wanted or wanted == "all":
        return default
    return ("id", *wanted.split(","))


def _pick(obj, names):
    return {name: obj[name] for name in names if name in obj}


def _true(value):
    return str(value).lower() in ("true", "1", "yes")


class Delivery(PendingDelivery):
    """One webhook call waiting to be made; its body is the JSON bytes."""

    @property
    def action(self):
        return json.loads(self.body)["action"]


class TrelloEmulator(Emulator):
    """Trello on 127.0.0.1. ``me`` is the member behind the token the connector uses."""

    quotas = QUOTAS

    def __init__(
        self, *, api_key=DEMO_API_KEY, token=DEMO_TOKEN, app_secret=DEMO_APP_SECRET, fixed_ids=False
    ):
        """``fixed_ids``: what is built before :meth:`start` gets the same ids on every run (the
        demo's sample data), so an Odoo set up against an earlier run still matches."""
        super().__init__()
        self.api_key = api_key
        self.app_secret = app_secret
        self._ids = itertools.count(1)
        self._last_stamp = DEMO_EPOCH if fixed_ids else 0
        self._stamp_frozen = fixed_ids
        self.members = {}
        self.boards = {}
        self.lists = {}
        self.labels = {}
        self.cards = {}
        self.checklists = {}
        self.custom_fields = {}
        self.custom_field_items = {}  # card id -> {custom field id: item}
        self.files = {}  # attachment id -> bytes
        self.actions = []  # oldest first
        # Indexes that keep a 5,000-card board fast to build and to read.
        self._card_actions = defaultdict(list)  # card id -> its actions, oldest first
        self._card_checklists = defaultdict(list)  # card id -> its checklists
        self._last_pos = defaultdict(float)  # list id -> highest card position given
        self._card_numbers = defaultdict(int)  # board id -> cards created
        self.webhooks = {}
        self.outbox = []  # Delivery objects not sent yet
        self.delivery_log = []  # (webhook id, action id, HTTP status or error text)
        self.webhook_failures_to_disable = 3
        self.me = self.add_member("Ana Silva", username="ana", email="ana@example.com")
        self.tokens = {token: self.me}
        self._routes()

    # ------------------------------------------------------------------ ids and auth
    def _new_id(self):
        """24 hex characters growing with time, like Trello's: id order is creation order."""
        if not self._stamp_frozen:
            self._last_stamp = max(self._last_stamp, int(time.time()))
        return f"{self._last_stamp:08x}{next(self._ids):016x}"

    def start(self, port=0):
        self._stamp_frozen = False  # what happens from now on happens now
        return super().start(port)

    def issue_token(self, member_id=None):
        token = secrets.token_hex(32)
        self.tokens[token] = member_id or self.me
        return token

    def revoke_token(self, token):
        """The token stops working, and its webhooks are deleted with it (as in Trello)."""
        self.tokens.pop(token, None)
        for webhook_id in [key for key, hook in self.webhooks.items() if hook["_token"] == token]:
            del self.webhooks[webhook_id]

    @staticmethod
    def _credentials(request):
        """(API key, token) from the OAuth-style Authorization header or the query string."""
        header = request.headers.get("Authorization") or ""
        found = dict(re.findall(r'(oauth_consumer_key|oauth_token)="([^"]*)"', header))
        return (
            found.get("oauth_consumer_key") or request.query.get("key"),
            found.get("oauth_token") or request.query.get("token"),
        )

    def authenticate(self, request):
        key, token = self._credentials(request)
        if key != self.api_key:
            raise EmulatorHTTPError(401, "invalid key")
        if token not in self.tokens:
            raise EmulatorHTTPError(401, "invalid token")
        return token, self.tokens[token]

    def quota_holder(self, request, quota):
        key, token = self._credentials(request)
        return {"Api-Token": token or "", "Api-Key": key or "", "Member": str(self.tokens.get(token))}[
            quota.name
        ]

    # ------------------------------------------------------------------ routing
    def _routes(self):
        self.route("GET", "/1/authorize", self._get_authorize, public=True)
        routes = [
            ("GET", "/1/members/me", self._get_me),
            ("GET", "/1/members/me/boards", self._get_my_boards),
            ("GET", "/1/tokens/{token}/webhooks", self._get_token_webhooks),
            ("POST", "/1/tokens/{token}/webhooks", self._post_webhook),
            ("POST", "/1/webhooks", self._post_webhook),
            ("GET", "/1/webhooks/{webhook_id}", self._get_webhook),
            ("PUT", "/1/webhooks/{webhook_id}", self._put_webhook),
            ("DELETE", "/1/webhooks/{webhook_id}", self._delete_webhook),
            ("GET", "/1/boards/{board_id}", self._get_board),
            ("PUT", "/1/boards/{board_id}", self._put_board),
            ("GET", "/1/boards/{board_id}/cards", self._get_board_cards),
            ("GET", "/1/boards/{board_id}/cards/{card_filter}", self._get_board_cards),
            ("GET", "/1/boards/{board_id}/lists", self._get_board_lists),
            ("GET", "/1/boards/{board_id}/labels", self._get_board_labels),
            ("GET", "/1/boards/{board_id}/members", self._get_board_members),
            ("GET", "/1/boards/{board_id}/customFields", self._get_board_custom_fields),
            ("GET", "/1/boards/{board_id}/actions", self._get_board_actions),
            ("GET", "/1/cards/{card_id}", self._get_card),
            ("POST", "/1/cards", self._post_card),
            ("PUT", "/1/cards/{card_id}", self._put_card),
            ("DELETE", "/1/cards/{card_id}", self._delete_card),
            ("POST", "/1/cards/{card_id}/actions/comments", self._post_comment),
            ("PUT", "/1/cards/{card_id}/customField/{field_id}/item", self._put_custom_field_item),
            (
                "GET",
                "/1/cards/{card_id}/attachments/{attachment_id}/download/{file_name}",
                self._download,
            ),
            ("POST", "/1/labels", self._post_label),
            ("POST", "/1/lists", self._post_list),
            ("PUT", "/1/lists/{list_id}", self._put_list),
        ]
        for method, pattern, handler in routes:
            # Each handler takes the caller's token and member id after the request.
            self.route(method, pattern, lambda request, handler=handler: handler(request, *request.caller))

    @staticmethod
    def _args(request):
        """Parameters from the query string, a form body or a JSON body, as Trello accepts all three."""
        return {**request.query, **request.form, **(request.json or {})}

    # ------------------------------------------------------------------ faults
    def fail_next(self, status, *, times=1, route=None, method=None):
        """The next ``times`` matching calls answer ``status`` as Trello would (429: JSON and headers)."""
        if status == 429:
            body = {"error": "API_TOKEN_LIMIT_EXCEEDED", "message": "Rate limit exceeded"}
            return self.faults.add(
                429,
                body=body,
                headers=self.exhausted_quota_headers(),
                times=times,
                route=route,
                method=method,
            )
        body = {400: "invalid value", 401: "invalid token", 404: NOT_FOUND}.get(
            status, "Internal Server Error"
        )
        return self.faults.add(status, body=body, times=times, route=route, method=method)

    # ------------------------------------------------------------------ building data (no action recorded)
    def add_member(self, full_name, *, username=None, email=None):
        member_id = self._new_id()
        username = username or re.sub(r"\W+", "", full_name.lower())
        initials = "".join(part[0] for part in full_name.split()[:2]).upper()
        self.members[member_id] = {
            "id": member_id,
            "username": username,
            "fullName": full_name,
            "initials": initials,
            "avatarHash": None,
            "email": email,
        }
        return member_id

    def add_board(self, name, *, desc="", members=(), visible_to_me=True):
        """``visible_to_me=False``: a board the connector's member is not on (Trello answers 401)."""
        board_id = self._new_id()
        short = board_id[-8:]
        self.boards[board_id] = {
            "id": board_id,
            "name": name,
            "desc": desc,
            "closed": False,
            "idOrganization": None,
            "url": f"https://trello.com/b/{short}/{re.sub(r'[^a-z0-9]+', '-', name.lower())}",
            "shortUrl": f"https://trello.com/b/{short}",
            "shortLink": short,
            "prefs": {"permissionLevel": "private"},
            "labelNames": {},
            "dateLastActivity": _iso(_now()),
            "_members": [self.me, *members] if visible_to_me else list(members),
        }
        for color in DEFAULT_LABEL_COLORS:
            self.add_label(board_id, "", color)
        return board_id

    def default_label(self, board_id, color):
        """One of the nameless labels the board was created with."""
        return next(
            label["id"]
            for label in self.labels.values()
            if label["idBoard"] == board_id and label["color"] == color and not label["name"]
        )

    def add_list(self, board_id, name, *, pos=None, closed=False):
        list_id = self._new_id()
        siblings = [item["pos"] for item in self.lists.values() if item["idBoard"] == board_id]
        self.lists[list_id] = {
            "id": list_id,
            "name": name,
            "closed": closed,
            "pos": pos if pos is not None else max(siblings, default=0) + 16384,
            "idBoard": board_id,
            "subscribed": False,
        }
        return list_id

    def add_label(self, board_id, name, color):
        label_id = self._new_id()
        self.labels[label_id] = {"id": label_id, "idBoard": board_id, "name": name, "color": color}
        return label_id

    def add_custom_field(self, board_id, name, kind, options=()):
        field_id = self._new_id()
        self.custom_fields[field_id] = {
            "id": field_id,
            "idModel": board_id,
            "modelType": "board",
            "name": name,
            "type": kind,
            "pos": 16384 * (len(self.custom_fields) + 1),
            "display": {"cardFront": True},
            "options": [
                {
                    "id": self._new_id(),
                    "idCustomField": field_id,
                    "value": {"text": text},
                    "color": "none",
                    "pos": 16384 * (index + 1),
                }
                for index, text in enumerate(options)
            ],
        }
        return field_id

    def add_card(
        self,
        list_id,
        name,
        *,
        desc="",
        labels=(),
        members=(),
        due=None,
        start=None,
        closed=False,
        pos=None,
        is_template=False,
    ):
        card_id = self._new_id()
        board_id = self.lists[list_id]["idBoard"]
        short = card_id[-8:]
        self._card_numbers[board_id] += 1
        number = self._card_numbers[board_id]
        if pos is None:
            pos = self._last_pos[list_id] + 16384
        self._last_pos[list_id] = max(self._last_pos[list_id], pos)
        self.cards[card_id] = {
            "id": card_id,
            "name": name,
            "desc": desc,
            "closed": closed,
            "idBoard": board_id,
            "idList": list_id,
            "idLabels": list(labels),
            "idMembers": list(members),
            "idShort": number,
            "shortLink": short,
            "shortUrl": f"https://trello.com/c/{short}",
            "url": f"https://trello.com/c/{short}/{number}-{re.sub(r'[^a-z0-9]+', '-', name.lower())}",
            "pos": pos,
            "start": start,
            "due": due,
            "dueComplete": False,
            "dateLastActivity": _iso(_now()),
            "isTemplate": is_template,
            "attachments": [],
        }
        return card_id

    def add_checklist(self, card_id, name, items=()):
        """``items``: names, or (name, checked) pairs."""
        checklist_id = self._new_id()
        card = self.cards[card_id]
        checklist = {
            "id": checklist_id,
            "name": name,
            "idCard": card_id,
            "idBoard": card["idBoard"],
            "pos": 16384 * (1 + len(self._card_checklists[card_id])),
            "checkItems": [],
        }
        self.checklists[checklist_id] = checklist
        self._card_checklists[card_id].append(checklist)
        for item in items:
            item_name, checked = (item, False) if isinstance(item, str) else item
            self._add_check_item(checklist, item_name, checked)
        return checklist_id

    def _add_check_item(self, checklist, name, checked=False):
        item = {
            "id": self._new_id(),
            "idChecklist": checklist["id"],
            "name": name,
            "state": "complete" if checked else "incomplete",
            "pos": 16384 * (len(checklist["checkItems"]) + 1),
            "due": None,
            "idMember": None,
        }
        checklist["checkItems"].append(item)
        return item

    def add_attachment(
        self, card_id, name, *, content=None, url=None, mime_type="", size=None, file_name=None
    ):
        """An uploaded file (``content`` bytes, or only a ``size`` for a big one) or a link (``url``).

        ``file_name``: the name Trello stored the upload under, when it differs from ``name``
        (the download URL ends with it); such attachments carry no ``fileName`` and, with
        ``mime_type=None``, a null ``mimeType``, as real ones do.
        """
        attachment_id = self._new_id()
        uploaded = content is not None or size is not None
        stored_name = (file_name or name) if uploaded else None
        card = self.cards[card_id]
        attachment = {
            "id": attachment_id,
            "bytes": (len(content) if content is not None else size) if uploaded else None,
            "date": _iso(_now()),
            "edgeColor": None,
            "idMember": self.me,
            "isUpload": uploaded,
            "mimeType": mime_type
            if mime_type is None
            else (mime_type or ("application/octet-stream" if uploaded else "")),
            "name": name,
            "previews": [],
            "url": (
                f"https://trello.com/1/cards/{card_id}/attachments/{attachment_id}/download/{stored_name}"
                if uploaded
                else url
            ),
            "pos": 16384 * (len(card["attachments"]) + 1),
            "fileName": stored_name,
        }
        if file_name:
            del attachment["fileName"]
        card["attachments"].append(attachment)
        if content is not None:
            self.files[attachment_id] = content
        return attachment_id

    def set_custom_field_value(self, card_id, field_id, value):
        field = self.custom_fields[field_id]
        item = {"id": self._new_id(), "idCustomField": field_id, "idModel": card_id, "modelType": "card"}
        if field["type"] == "list":
            item["idValue"] = next(
                option["id"] for option in field["options"] if option["value"]["text"] == value
            )
        elif field["type"] == "checkbox":
            item["value"] = {"checked": "true" if value else "false"}
        else:
            item["value"] = {field["type"]: str(value)}
        self.custom_field_items.setdefault(card_id, {})[field_id] = item
        return item

    # ------------------------------------------------------------------ a person working in Trello
    # Each helper changes the data, records the action and queues its webhook deliveries.
    def move_card(self, card_id, list_id, *, by=None):
        return self._update_card(card_id, {"idList": list_id}, by=by)

    def update_card(self, card_id, *, by=None, **changes):
        return self._update_card(card_id, changes, by=by)

    def comment(self, card_id, text, *, by=None):
        return self._comment(card_id, text, by or self._someone_else())

    def edit_comment(self, action_id, text, *, by=None):
        action = next(action for action in self.actions if action["id"] == action_id)
        action["data"]["text"] = text
        action["data"]["dateLastEdited"] = _iso(_now())
        card = self.cards[action["data"]["card"]["id"]]
        return self._record(
            "updateComment",
            card["idBoard"],
            by or self._someone_else(),
            {"action": {"id": action_id, "text": text}, "card": self._card_ref(card), "old": {"text": "…"}},
        )

    def delete_comment(self, action_id, *, by=None):
        action = next(action for action in self.actions if action["id"] == action_id)
        card = self.cards[action["data"]["card"]["id"]]
        self.actions.remove(action)
        self._card_actions[card["id"]].remove(action)
        data = {"action": {"id": action_id}, "card": self._card_ref(card)}
        return self._record("deleteComment", card["idBoard"], by or self._someone_else(), data)

    def check_item(self, card_id, item_id, complete=True, *, by=None):
        card = self.cards[card_id]
        for checklist in self._card_checklists[card_id]:
            for item in checklist["checkItems"]:
                if item["id"] == item_id:
                    item["state"] = "complete" if complete else "incomplete"
                    return self._record(
                        "updateCheckItemStateOnCard",
                        card["idBoard"],
                        by or self._someone_else(),
                        {
                            "card": self._card_ref(card),
                            "checklist": {"id": checklist["id"], "name": checklist["name"]},
                            "checkItem": {"id": item_id, "name": item["name"], "state": item["state"]},
                        },
                    )
        raise KeyError(item_id)

    def add_label_to_card(self, card_id, label_id, *, by=None):
        card = self.cards[card_id]
        card["idLabels"].append(label_id)
        label = self.labels[label_id]
        return self._record(
            "addLabelToCard",
            card["idBoard"],
            by or self._someone_else(),
            {"card": self._card_ref(card), "label": _pick(label, ("id", "name", "color"))},
        )

    def add_member_to_card(self, card_id, member_id, *, by=None):
        card = self.cards[card_id]
        card["idMembers"].append(member_id)
        return self._record(
            "addMemberToCard",
            card["idBoard"],
            by or self._someone_else(),
            {"card": self._card_ref(card), "idMember": member_id},
            member=self._member_ref(member_id),
        )

    def create_card(self, list_id, name, *, by=None, **options):
        card_id = self.add_card(list_id, name, **options)
        card = self.cards[card_id]
        self._record(
            "createCard",
            card["idBoard"],
            by or self._someone_else(),
            {"card": self._card_ref(card), "list": self._list_ref(list_id)},
        )
        return card_id

    def copy_card(self, card_id, list_id, *, name=None, by=None):
        """Copy a card with its comments ("keep comments"): a copyCard action, then one
        copyCommentCard per comment on the new card, oldest first, each keeping the text and
        its author (who Trello names as the copied comment's creator is UNCONFIRMED)."""
        source = self.cards[card_id]
        new_id = self.add_card(
            list_id,
            name or source["name"],
            desc=source["desc"],
            labels=source["idLabels"],
            members=source["idMembers"],
            due=source["due"],
            start=source["start"],
        )
        card = self.cards[new_id]
        self._record(
            "copyCard",
            card["idBoard"],
            by or self._someone_else(),
            {
                "card": self._card_ref(card),
                "cardSource": self._card_ref(source),
                "list": self._list_ref(list_id),
            },
        )
        for comment in [action for action in self._card_actions[card_id] if action["type"] == "commentCard"]:
            self._record(
                "copyCommentCard",
                card["idBoard"],
                comment["idMemberCreator"],
                {
                    "text": comment["data"]["text"],
                    "card": self._card_ref(card),
                    "list": self._list_ref(list_id),
                },
            )
        return new_id

    def move_card_to_board(self, card_id, board_id, list_id, *, by=None):
        """Move a card to another board (one the token's member may not see, for instance)."""
        card = self.cards[card_id]
        old_board = card["idBoard"]
        member_id = by or self._someone_else()
        card.update(idBoard=board_id, idList=list_id)
        ref = self._card_ref(card)
        self._record(
            "moveCardFromBoard", old_board, member_id, {"card": ref, "boardTarget": {"id": board_id}}
        )
        self._record(
            "moveCardToBoard",
            board_id,
            member_id,
            {"card": ref, "boardSource": {"id": old_board}, "list": self._list_ref(list_id)},
        )

    def update_board(self, board_id, *, by=None, **changes):
        board = self.boards[board_id]
        old = {key: board[key] for key, value in changes.items() if board[key] != value}
        if not old:
            return None
        board.update(changes)
        return self._record("updateBoard", board_id, by or self._someone_else(), {"old": old})

    def update_list(self, list_id, *, by=None, **changes):
        item = self.lists[list_id]
        old = {key: item[key] for key in changes}
        item.update(changes)
        return self._record(
            "updateList",
            item["idBoard"],
            by or self._someone_else(),
            {"list": self._list_ref(list_id), "old": old},
        )

    def deactivate_webhook(self, webhook_id):
        """What Trello does after repeated failed deliveries."""
        self.webhooks[webhook_id]["active"] = False

    def _someone_else(self):
        others = [member_id for member_id in self.members if member_id != self.me]
        return others[0] if others else self.me

    # ------------------------------------------------------------------ actions and webhooks
    def _member_ref(self, member_id):
        member = self.members[member_id]
        return _pick(member, ("id", "username", "fullName", "initials", "avatarHash"))

    def _card_ref(self, card):
        """The card in an action's data: no idList (Trello sends it only on a move, as the new list)."""
        return {
            "id": card["id"],
            "name": card["name"],
            "idShort": card["idShort"],
            "shortLink": card["shortLink"],
        }

    def _list_ref(self, list_id):
        return {"id": list_id, "name": self.lists[list_id]["name"]}

    def _board_ref(self, board_id):
        board = self.boards[board_id]
        return {"id": board_id, "name": board["name"], "shortLink": board["shortLink"]}

    def _record(self, kind, board_id, member_id, data, *, member=None, deliver=True):
        moment = _now()
        action = {
            "id": self._new_id(),
            "idMemberCreator": member_id,
            "type": kind,
            "date": _iso(moment),
            "data": {**data, "board": self._board_ref(board_id)},
            "memberCreator": self._member_ref(member_id),
        }
        if member:
            action["member"] = member
        self.actions.append(action)
        self.boards[board_id]["dateLastActivity"] = action["date"]
        card_id = (data.get("card") or {}).get("id")
        if card_id:
            self._card_actions[card_id].append(action)
        if card_id in self.cards:
            self.cards[card_id]["dateLastActivity"] = action["date"]
        if deliver:
            self._queue_deliveries(action, board_id, card_id)
        return action

    def _queue_deliveries(self, action, board_id, card_id):
        for webhook in list(self.webhooks.values()):
            if not webhook["active"] or webhook["idModel"] not in (board_id, card_id):
                continue
            board = self.boards[board_id]
            model = _pick(board, ("id", "name", "desc", "closed", "url", "shortUrl", "dateLastActivity"))
            body = json.dumps({"action": action, "model": model, "webhook": self._public(webhook)}).encode()
            self.outbox.append(Delivery(webhook["id"], webhook["callbackURL"], body))
        self.delivery_wanted()

    def take_pending(self):
        """The deliveries waiting to be sent, removed from the queue (to send them in any order)."""
        with self.state:
            pending, self.outbox = self.outbox, []
        return pending

    def deliver(self, delivery, *, signature=None):
        """POST one delivery, signed unless ``signature`` is given; returns the response (or None)."""
        try:
            response = send_signed_webhook(
                delivery.url,
                delivery.body,
                signature_header=SIGNATURE_HEADER,
                sign=hmac_sha1_base64_body_and_url(self.app_secret),
                signature=signature,
                headers={"User-Agent": "Trello emulator"},
                timeout=30,
            )
        except requests.RequestException as error:
            self._delivery_failed(delivery, type(error).__name__)
            return None
        with self.state:
            webhook = self.webhooks.get(delivery.hook_id)
            if response.status_code == 410 and webhook:
                del self.webhooks[delivery.hook_id]
            elif response.status_code != 200:
                self._delivery_failed(delivery, response.status_code)
            elif webhook:
                webhook["consecutiveFailures"] = 0
                webhook["firstConsecutiveFailDate"] = None
            self.delivery_log.append((delivery.hook_id, delivery.action["id"], response.status_code))
        return response

    def _delivery_failed(self, delivery, outcome):
        with self.state:
            self.delivery_log.append((delivery.hook_id, delivery.action["id"], outcome))
            webhook = self.webhooks.get(delivery.hook_id)
            if not webhook:
                return
            webhook["consecutiveFailures"] += 1
            webhook["firstConsecutiveFailDate"] = webhook["firstConsecutiveFailDate"] or _iso(_now())
            if webhook["consecutiveFailures"] >= self.webhook_failures_to_disable:
                webhook["active"] = False

    def deliver_pending(self):
        """Send every queued delivery in order; returns the HTTP statuses (None: no answer)."""
        return [getattr(self.deliver(delivery), "status_code", None) for delivery in self.take_pending()]

    def start_auto_delivery(self):
        """Deliver in the background as soon as something is queued (the demo's and the latency
        benchmark's mode). Each delivery goes out on its own, AUTO_DELIVERY_SENDERS at a time:
        Trello sends one delivery per action, and nothing in the platform notes says it waits
        for one answer before sending the next (they say so of Smartsheet's callbacks, not of
        Trello's), so a slow answer does not hold back the deliveries after it."""
        self.start_concurrent_delivery(
            self.take_pending, self.deliver, senders=AUTO_DELIVERY_SENDERS, delay=0.2
        )

    @staticmethod
    def _public(obj):
        return {key: value for key, value in obj.items() if not key.startswith("_")}

    # ------------------------------------------------------------------ serialisation
    def _card_json(self, card, request_args, fields=CARD_FIELDS):
        checklists = sorted(self._card_checklists[card["id"]], key=lambda checklist: checklist["pos"])
        card_actions = self._card_actions[card["id"]]
        comments = [action for action in card_actions if action["type"] == "commentCard"]
        items = [i for c in checklists for i in c["checkItems"]]
        full = {
            **card,
            "labels": [self.labels[label_id] for label_id in card["idLabels"] if label_id in self.labels],
            "idChecklists": [c["id"] for c in checklists],
            "badges": {
                "comments": len(comments),
                "attachments": len(card["attachments"]),
                "checkItems": len(items),
                "checkItemsChecked": sum(1 for i in items if i["state"] == "complete"),
                "due": card["due"],
                "dueComplete": card["dueComplete"],
                "start": card["start"],
                "votes": 0,
            },
        }
        result = _pick(full, fields)
        if _true(request_args.get("attachments", "false")):
            result["attachments"] = copy.deepcopy(card["attachments"])
        if request_args.get("checklists", "none") == "all":
            result["checklists"] = copy.deepcopy(checklists)
        if _true(request_args.get("customFieldItems", "false")):
            result["customFieldItems"] = list(self.custom_field_items.get(card["id"], {}).values())
        if request_args.get("actions"):
            kinds = set(request_args["actions"].split(","))
            limit = int(request_args.get("actions_limit", 50))
            related = [action for action in card_actions if "all" in kinds or action["type"] in kinds]
            result["actions"] = copy.deepcopy(list(reversed(related))[:limit])
        return result

    def _board_or_404(self, board_id, member_id):
        """A board by id or short link (the key in its URL), as Trello accepts both."""
        board = self.boards.get(board_id) or next(
            (board for board in self.boards.values() if board["shortLink"] == board_id), None
        )
        if board is None:
            raise EmulatorHTTPError(404, NOT_FOUND)
        if member_id not in board["_members"]:
            raise EmulatorHTTPError(401, NO_BOARD_ACCESS)
        return board

    def _card_or_404(self, card_id, member_id):
        card = self.cards.get(card_id)
        if card is None:
            raise EmulatorHTTPError(404, NOT_FOUND)
        if member_id not in self.boards[card["idBoard"]]["_members"]:
            raise EmulatorHTTPError(401, NO_CARD_ACCESS)
        return card

    # ------------------------------------------------------------------ handlers: identity
    def _get_authorize(self, request):
        """Trello's consent page: "Allow" sends the person back with ``#token=...``."""
        return_url = request.query.get("return_url") or ""
        if request.query.get("key") != self.api_key:
            return Response(400, "invalid key")
        if request.query.get("approve"):
            return Response(302, b"", {"Location": f"{return_url}#token={self.issue_token()}"})
        allow = f"{request.path}?{urlencode({**request.query, 'approve': '1'})}"
        page = (
            "<!DOCTYPE html><html><body><h1>Trello emulator</h1>"
            f"<p>Let <b>{escape(request.query.get('name', 'this app'))}</b> use your account "
            f"({escape(self.members[self.me]['fullName'])})?</p>"
            f'<p><a id="allow" href="{escape(allow)}">Allow</a></p></body></html>'
        )
        return Response(200, page, {"Content-Type": "text/html; charset=utf-8"})

    def _get_me(self, request, _token, member_id):
        return _pick(self.members[member_id], _fields(request, tuple(self.members[member_id])))

    def _get_my_boards(self, request, _token, member_id):
        boards = [board for board in self.boards.values() if member_id in board["_members"]]
        if request.query.get("filter", "all") == "open":
            boards = [board for board in boards if not board["closed"]]
        return [_pick(board, _fields(request, tuple(self._public(board)))) for board in boards]

    def _token_webhooks(self, token):
        return [self._public(hook) for hook in self.webhooks.values() if hook["_token"] == token]

    def _get_token_webhooks(self, request, token, _member):
        if request.params["token"] != token:
            raise EmulatorHTTPError(401, "invalid token")
        return self._token_webhooks(token)

    # ------------------------------------------------------------------ handlers: webhooks
    def _post_webhook(self, request, token, _member):
        args = self._args(request)
        callback_url, model_id = args.get("callbackURL"), args.get("idModel")
        if not callback_url:
            raise EmulatorHTTPError(400, "invalid value for callbackURL")
        if model_id not in self.boards and model_id not in self.cards and model_id not in self.lists:
            raise EmulatorHTTPError(400, "invalid value for idModel")
        for hook in self.webhooks.values():
            if (
                hook["_token"] == token
                and hook["idModel"] == model_id
                and hook["callbackURL"] == callback_url
            ):
                raise EmulatorHTTPError(400, "A webhook with that callback, model, and token already exists")
        # Trello checks the callback answers a HEAD with 200 before it stores anything.
        try:
            check = requests.head(callback_url, timeout=10, allow_redirects=False)
            status = check.status_code
        except requests.RequestException as error:
            status = type(error).__name__
        if status != 200:
            raise EmulatorHTTPError(400, f"URL ({callback_url}) did not return 200 status code, got {status}")
        webhook_id = self._new_id()
        self.webhooks[webhook_id] = {
            "id": webhook_id,
            "description": args.get("description", ""),
            "idModel": model_id,
            "callbackURL": callback_url,
            "active": _true(args.get("active", "true")),
            "consecutiveFailures": 0,
            "firstConsecutiveFailDate": None,
            "_token": token,
        }
        return self._public(self.webhooks[webhook_id])

    def _webhook_or_404(self, webhook_id, token):
        hook = self.webhooks.get(webhook_id)
        if hook is None or hook["_token"] != token:
            raise EmulatorHTTPError(404, NOT_FOUND)
        return hook

    def _get_webhook(self, request, token, _member):
        return self._public(self._webhook_or_404(request.params["webhook_id"], token))

    def _put_webhook(self, request, token, _member):
        hook = self._webhook_or_404(request.params["webhook_id"], token)
        args = self._args(request)
        for key in ("description", "callbackURL", "idModel"):
            if key in args:
                hook[key] = args[key]
        if "active" in args:
            hook["active"] = _true(args["active"])
            if hook["active"]:
                hook["consecutiveFailures"] = 0
                hook["firstConsecutiveFailDate"] = None
        return self._public(hook)

    def _delete_webhook(self, request, token, _member):
        self._webhook_or_404(request.params["webhook_id"], token)
        del self.webhooks[request.params["webhook_id"]]
        return {"_value": None}

    # ------------------------------------------------------------------ handlers: boards
    def _get_board(self, request, _token, member_id):
        board = self._board_or_404(request.params["board_id"], member_id)
        args = request.query
        answer = _pick(board, _fields(request, tuple(self._public(board))))
        board_id = board["id"]
        if args.get("lists", "none") != "none":
            lists = self._lists_of(board_id, args["lists"])
            list_fields = (
                ("id", *args["list_fields"].split(","))
                if args.get("list_fields")
                else tuple(lists[0])
                if lists
                else ()
            )
            answer["lists"] = [_pick(item, list_fields) for item in lists]
        if args.get("labels", "none") != "none":
            answer["labels"] = self._labels_of(board_id)
        if _true(args.get("customFields", "false")):
            answer["customFields"] = self._custom_fields_of(board_id)
        if args.get("members", "none") != "none":
            member_fields = (
                "id",
                *args.get("member_fields", "username,fullName,initials,avatarHash").split(","),
            )
            answer["members"] = [_pick(self.members[member], member_fields) for member in board["_members"]]
        if args.get("actions", "none") != "none":
            limit = int(args.get("actions_limit", 50))
            answer["actions"] = self._listed_actions(board_id, args["actions"])[:limit]
        return answer

    def _put_board(self, request, _token, member_id):
        board = self._board_or_404(request.params["board_id"], member_id)
        args = self._args(request)
        changes = {key: args[key] for key in ("name", "desc") if key in args}
        if "closed" in args:
            changes["closed"] = _true(args["closed"])
        self.update_board(board["id"], by=member_id, **changes)
        return self._public(board)

    def _lists_of(self, board_id, list_filter="all"):
        lists = [item for item in self.lists.values() if item["idBoard"] == board_id]
        if list_filter == "open":
            lists = [item for item in lists if not item["closed"]]
        elif list_filter == "closed":
            lists = [item for item in lists if item["closed"]]
        return sorted(lists, key=lambda item: item["pos"])

    def _labels_of(self, board_id):
        return [label for label in self.labels.values() if label["idBoard"] == board_id]

    def _custom_fields_of(self, board_id):
        return [field for field in self.custom_fields.values() if field["idModel"] == board_id]

    def _get_board_lists(self, request, _token, member_id):
        board = self._board_or_404(request.params["board_id"], member_id)
        return self._lists_of(board["id"], request.query.get("filter", "open"))

    def _get_board_labels(self, request, _token, member_id):
        return self._labels_of(self._board_or_404(request.params["board_id"], member_id)["id"])

    def _get_board_custom_fields(self, request, _token, member_id):
        return self._custom_fields_of(self._board_or_404(request.params["board_id"], member_id)["id"])

    def _get_board_members(self, request, _token, member_id):
        board = self._board_or_404(request.params["board_id"], member_id)
        default = ("id", "username", "fullName")
        return [_pick(self.members[member], _fields(request, default)) for member in board["_members"]]

    def _get_board_cards(self, request, _token, member_id):
        board = self._board_or_404(request.params["board_id"], member_id)
        card_filter = request.params.get("card_filter") or request.query.get("filter", "open")
        cards = [card for card in self.cards.values() if card["idBoard"] == board["id"]]
        if card_filter in ("open", "visible"):
            cards = [card for card in cards if not card["closed"]]
        elif card_filter == "closed":
            cards = [card for card in cards if card["closed"]]
        if "limit" in request.query:
            # Paged like every Trello listing: newest first, before/since by id.
            limit = int(request.query["limit"])
            if not 1 <= limit <= 1000:
                raise EmulatorHTTPError(400, "invalid value for limit")
            cards = page_by_id(
                cards, limit=limit, before=request.query.get("before"), since=request.query.get("since")
            )
        else:
            cards = sorted(cards, key=lambda card: (self.lists[card["idList"]]["pos"], card["pos"]))
        fields = _fields(request, CARD_FIELDS)
        return [self._card_json(card, request.query, fields) for card in cards]

    def _listed_actions(self, board_id, action_filter="all", *, since=None, before=None, limit=None):
        """Newest first, without the webhook-only types, as nested /actions listings are."""
        kinds = set(action_filter.split(",")) if action_filter and action_filter != "all" else None
        found = []
        for action in reversed(self.actions):
            if limit is not None and len(found) >= limit:
                break
            if action["data"]["board"]["id"] != board_id or action["type"] in WEBHOOK_ONLY_ACTIONS:
                continue
            if (since and action["id"] <= since) or (before and action["id"] >= before):
                continue
            if kinds is not None and not self._matches(action, kinds):
                continue
            found.append(action)
        return copy.deepcopy(found)

    @staticmethod
    def _matches(action, kinds):
        for kind in kinds:
            name, _, field = kind.partition(":")
            if action["type"] == name and (not field or field in (action["data"].get("old") or {})):
                return True
        return False

    def _get_board_actions(self, request, _token, member_id):
        board = self._board_or_404(request.params["board_id"], member_id)
        limit = int(request.query.get("limit", 50))
        if not 0 <= limit <= 1000:
            raise EmulatorHTTPError(400, "invalid value for limit")
        page = int(request.query.get("page", 0))
        actions = self._listed_actions(
            board["id"],
            request.query.get("filter", "all"),
            since=request.query.get("since"),
            before=request.query.get("before"),
            limit=(page + 1) * limit,
        )
        return actions[page * limit :]

    # ------------------------------------------------------------------ handlers: cards
    def _get_card(self, request, _token, member_id):
        card = self._card_or_404(request.params["card_id"], member_id)
        return self._card_json(card, request.query, _fields(request, CARD_FIELDS))

    def _post_card(self, request, _token, member_id):
        args = self._args(request)
        list_id = args.get("idList")
        if list_id not in self.lists:
            raise EmulatorHTTPError(400, "invalid value for idList")
        self._board_or_404(self.lists[list_id]["idBoard"], member_id)
        card_id = self.add_card(list_id, args.get("name") or "")
        self._apply_card_fields(self.cards[card_id], args)
        card = self.cards[card_id]
        self._record(
            "createCard",
            card["idBoard"],
            member_id,
            {"card": self._card_ref(card), "list": self._list_ref(list_id)},
        )
        return self._card_json(card, {})

    def _put_card(self, request, _token, member_id):
        card = self._card_or_404(request.params["card_id"], member_id)
        return self._update_card(card["id"], self._args(request), by=member_id)

    def _update_card(self, card_id, args, *, by=None):
        card = self.cards[card_id]
        member_id = by or self._someone_else()
        before = copy.deepcopy(card)
        self._apply_card_fields(card, args)
        ref = self._card_ref(card)
        for key in ("name", "desc", "closed", "idList", "pos", "due", "start", "dueComplete", "isTemplate"):
            if card[key] == before[key]:
                continue
            data = {"card": {**ref, key: card[key]}, "old": {key: before[key]}}
            if key == "idList":
                data["listBefore"] = self._list_ref(before["idList"])
                data["listAfter"] = self._list_ref(card["idList"])
            else:
                data["list"] = self._list_ref(card["idList"])
            self._record("updateCard", card["idBoard"], member_id, data)
        for key, added_kind, removed_kind in (
            ("idLabels", "addLabelToCard", "removeLabelFromCard"),
            ("idMembers", "addMemberToCard", "removeMemberFromCard"),
        ):
            for kind, ids in (
                (added_kind, [i for i in card[key] if i not in before[key]]),
                (removed_kind, [i for i in before[key] if i not in card[key]]),
            ):
                for item_id in ids:
                    if key == "idLabels":
                        data = {"card": ref, "label": _pick(self.labels[item_id], ("id", "name", "color"))}
                        self._record(kind, card["idBoard"], member_id, data)
                    else:
                        self._record(
                            kind,
                            card["idBoard"],
                            member_id,
                            {"card": ref, "idMember": item_id},
                            member=self._member_ref(item_id),
                        )
        return self._card_json(card, {})

    def _apply_card_fields(self, card, args):
        for key in ("name", "desc"):
            if key in args:
                card[key] = args[key]
        for key in ("closed", "dueComplete", "isTemplate"):
            if key in args:
                card[key] = _true(args[key])
        for key in ("due", "start"):
            if key in args:
                card[key] = self._date_arg(args[key])
        if "idList" in args:
            if args["idList"] not in self.lists or self.lists[args["idList"]]["idBoard"] != card["idBoard"]:
                raise EmulatorHTTPError(400, "invalid value for idList")
            card["idList"] = args["idList"]
        if "pos" in args:
            card["pos"] = self._position(card, args["pos"])
        for key, known in (("idLabels", self.labels), ("idMembers", self.members)):
            if key in args:
                ids = (
                    args[key] if isinstance(args[key], list) else [i for i in str(args[key]).split(",") if i]
                )
                if any(item_id not in known for item_id in ids):
                    raise EmulatorHTTPError(400, f"invalid value for {key}")
                card[key] = ids

    @staticmethod
    def _date_arg(value):
        if value in (None, "", "null"):
            return None
        moment = datetime.fromisoformat(re.sub(r"[zZ]$", "+00:00", value))
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        return _iso(moment)

    def _position(self, card, pos):
        siblings = [
            other["pos"]
            for other in self.cards.values()
            if other["idList"] == card["idList"] and other is not card
        ]
        if pos == "top":
            return min(siblings, default=32768) / 2
        if pos == "bottom":
            return max(siblings, default=0) + 16384
        try:
            return float(pos)
        except ValueError:
            raise EmulatorHTTPError(400, "invalid value for pos") from None

    def _delete_card(self, request, _token, member_id):
        card = self._card_or_404(request.params["card_id"], member_id)
        del self.cards[card["id"]]
        self._record(
            "deleteCard",
            card["idBoard"],
            member_id,
            {"card": {"id": card["id"], "idShort": card["idShort"]}, "list": self._list_ref(card["idList"])},
        )
        return {"limits": {}}

    def _post_comment(self, request, _token, member_id):
        card = self._card_or_404(request.params["card_id"], member_id)
        text = self._args(request).get("text")
        if not text:
            raise EmulatorHTTPError(400, "invalid value for text")
        return self._comment(card["id"], text, member_id)

    def _comment(self, card_id, text, member_id):
        card = self.cards[card_id]
        return self._record(
            "commentCard",
            card["idBoard"],
            member_id,
            {"text": text, "card": self._card_ref(card), "list": self._list_ref(card["idList"])},
        )

    def _put_custom_field_item(self, request, _token, member_id):
        card = self._card_or_404(request.params["card_id"], member_id)
        field = self.custom_fields.get(request.params["field_id"])
        if field is None or field["idModel"] != card["idBoard"]:
            raise EmulatorHTTPError(404, NOT_FOUND)
        args = request.json or {}
        items = self.custom_field_items.setdefault(card["id"], {})
        old = items.get(field["id"])
        if args.get("idValue") or args.get("value"):
            item = {
                "id": (old or {}).get("id") or self._new_id(),
                "idCustomField": field["id"],
                "idModel": card["id"],
                "modelType": "card",
            }
            item.update({key: args[key] for key in ("idValue", "value") if args.get(key)})
            items[field["id"]] = item
        else:
            items.pop(field["id"], None)
            item = None
        self._record(
            "updateCustomFieldItem",
            card["idBoard"],
            member_id,
            {
                "card": self._card_ref(card),
                "customField": _pick(field, ("id", "name", "type")),
                "customFieldItem": item,
                "old": {"value": (old or {}).get("value")},
            },
        )
        return item or {}

    def _download(self, request, _token, member_id):
        card = self._card_or_404(request.params["card_id"], member_id)
        if not request.headers.get("Authorization"):
            raise EmulatorHTTPError(401, "unauthorized: use the Authorization header")  # as Trello since 2021
        attachment = next(
            (a for a in card["attachments"] if a["id"] == request.params["attachment_id"]), None
        )
        stored_name = attachment and attachment["url"].rsplit("/download/", 1)[-1]
        if (
            attachment is None
            or attachment["id"] not in self.files
            or request.params["file_name"] != stored_name
        ):
            raise EmulatorHTTPError(404, NOT_FOUND)
        return Response(
            200,
            self.files[attachment["id"]],
            {"Content-Type": attachment["mimeType"] or "application/octet-stream"},
        )

    # ------------------------------------------------------------------ handlers: labels, lists, batch
    def _post_label(self, request, _token, member_id):
        args = self._args(request)
        board = self._board_or_404(args.get("idBoard"), member_id)
        color = args.get("color") or None
        if color and color.removesuffix("_dark").removesuffix("_light") not in LABEL_COLORS:
            raise EmulatorHTTPError(400, "invalid value for color")
        label_id = self.add_label(board["id"], args.get("name", ""), color)
        self._record("createLabel", board["id"], member_id, {"label": self.labels[label_id]})
        return self.labels[label_id]

    def _post_list(self, request, _token, member_id):
        args = self._args(request)
        board = self._board_or_404(args.get("idBoard"), member_id)
        list_id = self.add_list(board["id"], args.get("name", ""))
        if "pos" in args and args["pos"] not in ("top", "bottom"):
            self.lists[list_id]["pos"] = float(args["pos"])
        self._record("createList", board["id"], member_id, {"list": self._list_ref(list_id)})
        return self.lists[list_id]

    def _put_list(self, request, _token, member_id):
        item = self.lists.get(request.params["list_id"])
        if item is None:
            raise EmulatorHTTPError(404, NOT_FOUND)
        self._board_or_404(item["idBoard"], member_id)
        args = self._args(request)
        changes = {key: args[key] for key in ("name",) if key in args}
        if "closed" in args:
            changes["closed"] = _true(args["closed"])
        if "pos" in args:
            changes["pos"] = float(args["pos"])
        self.update_list(item["id"], by=member_id, **changes)
        return item


# ---------------------------------------------------------------------- sample data
def load_sample(emulator):
    """A small board showing everything the connector maps; returns its ids by name."""
    bruno = emulator.add_member("Bruno Costa", username="bruno", email="bruno@example.com")
    carla = emulator.add_member("Carla Dias", username="carla", email=None)
    board = emulator.add_board("IT", desc="Office **IT** requests", members=(bruno, carla))
    todo = emulator.add_list(board, "To do")
    doing = emulator.add_list(board, "Doing")
    done = emulator.add_list(board, "Done")
    emulator.add_list(board, "Old requests", closed=True)
    hardware = emulator.add_label(board, "Hardware", "orange")
    urgent = emulator.add_label(board, "Urgent", "red")
    unnamed = emulator.default_label(board, "green")
    estimate = emulator.add_custom_field(board, "Estimate", "number")
    client = emulator.add_custom_field(board, "Client", "text")
    due = (_now() + timedelta(days=7)).replace(hour=17, minute=0, second=0, microsecond=0)
    printer = emulator.add_card(
        doing,
        "Install printer",
        desc="2nd floor, near **reception**\n\n- unpack\n- plug in\n\nSee [manual](https://example.com/manual)",
        labels=(hardware, urgent),
        members=(emulator.me, bruno),
        due=_iso(due),
        start=_iso(due - timedelta(days=3)),
    )
    emulator.add_checklist(printer, "Setup", [("Unpack", True), "Install driver", "Print test page"])
    emulator.add_attachment(printer, "manual-link", url="https://example.com/printer-manual")
    emulator.add_attachment(printer, "invoice.txt", content=b"Printer invoice #42\n", mime_type="text/plain")
    emulator.add_attachment(printer, "video.mp4", size=200 * 1024 * 1024, mime_type="video/mp4")
    emulator.set_custom_field_value(printer, estimate, 3)
    emulator.set_custom_field_value(printer, client, "Reception")
    laptops = emulator.add_card(
        todo, "Order laptops", desc="Three laptops for the new team", labels=(unnamed,), members=(carla,)
    )
    emulator.add_card(done, "Set up Wi-Fi", desc="Done _last week_")
    emulator.add_card(todo, "Old cabling request", closed=True)
    emulator._comment(printer, "Printer arrived", bruno)
    emulator._comment(printer, "Driver needs **admin** rights", carla)
    emulator._comment(laptops, "Budget approved", emulator.me)
    return {
        "board": board,
        "lists": {"To do": todo, "Doing": doing, "Done": done},
        "labels": {"Hardware": hardware, "Urgent": urgent, "": unnamed},
        "members": {"ana": emulator.me, "bruno": bruno, "carla": carla},
        "cards": {"Install printer": printer, "Order laptops": laptops},
        "custom_fields": {"Estimate": estimate, "Client": client},
    }


def generate_board(emulator, cards, *, lists=5, labels=6, check_items=3, comments=1):
    """A big board for the benchmark: every card has labels, a checklist and comments."""
    board = emulator.add_board(f"Benchmark {cards} cards")
    list_ids = [emulator.add_list(board, f"Stage {index}") for index in range(1, lists + 1)]
    label_ids = [
        emulator.add_label(board, f"Label {index}", LABEL_COLORS[index % len(LABEL_COLORS)])
        for index in range(labels)
    ]
    for index in range(cards):
        card = emulator.add_card(
            list_ids[index % lists],
            f"Card {index}",
            desc=f"Card **{index}** of the benchmark\n\n- first point\n- second point",
            labels=(label_ids[index % labels], label_ids[(index + 1) % labels]),
            due=_iso(datetime(2030, 1, 1, tzinfo=UTC) + timedelta(hours=index)),
        )
        emulator.add_checklist(card, "Steps", [(f"Step {step}", step == 0) for step in range(check_items)])
        for number in range(comments):
            emulator._record(
                "commentCard",
                board,
                emulator.me,
                {
                    "text": f"Comment {number} on card {index}",
                    "card": emulator._card_ref(emulator.cards[card]),
                },
                deliver=False,
            )
    return board


class DemoPages(framework.DemoPages):
    """What a person uses in the demo instead of Trello's web app: the boards, and forms to
    move, rename, comment on and archive cards as Bruno. Each change sends its webhook."""

    title = "Trello emulator"

    def __init__(self, emulator):
        super().__init__(emulator)
        self.actor = next(
            (member_id for member_id, member in emulator.members.items() if member["username"] == "bruno"),
            emulator.me,
        )
        emulator.router.add("POST", "/demo/cards/{card_id}", self.change_card)

    def credentials(self):
        emulator = self.emulator
        return {
            "api_key": emulator.api_key,
            "app_secret": emulator.app_secret,
            "token": next(iter(emulator.tokens)),
        }

    def sections(self):
        emulator = self.emulator
        actor = escape(emulator.members[self.actor]["fullName"])
        parts = [
            f"<p>Changes made here are made by {actor}; {len(emulator.webhooks)} webhook(s) registered.</p>"
        ]
        for board in emulator.boards.values():
            parts.append(f"<h2>{escape(board['name'])}</h2>")
            lists = emulator._lists_of(board["id"], "open")
            for item in lists:
                parts.append(f"<h3>{escape(item['name'])}</h3><ul>")
                cards = [c for c in emulator.cards.values() if c["idList"] == item["id"] and not c["closed"]]
                for card in sorted(cards, key=lambda card: card["pos"]):
                    parts.append(self._card_form(card, lists))
                parts.append("</ul>")
        return parts

    @staticmethod
    def _card_form(card, lists):
        options = "".join(
            f"<option value='{item['id']}'{' selected' if item['id'] == card['idList'] else ''}>"
            f"{escape(item['name'])}</option>"
            for item in lists
        )
        return (
            f"<li><form method='post' action='/demo/cards/{card['id']}'>"
            f"<input name='name' value='{escape(card['name'])}'> <select name='idList'>{options}</select> "
            "<input name='comment' placeholder='Comment'> "
            "<label><input type='checkbox' name='closed' value='true'> archive</label> "
            "<button>Save</button></form></li>"
        )

    def change_card(self, request):
        emulator = self.emulator
        form = request.form
        with emulator.state:
            card_id = request.params["card_id"]
            if card_id not in emulator.cards:
                raise EmulatorHTTPError(404, NOT_FOUND)
            changes = {key: form[key] for key in ("name", "idList", "closed") if form.get(key)}
            emulator.update_card(card_id, by=self.actor, **changes)
            if form.get("comment"):
                emulator.comment(card_id, form["comment"], by=self.actor)
        return Response(303, b"", {"Location": "/"})


def main(argv=None):
    return demo_main(
        argv,
        description="Serve a local Trello with sample data.",
        port=DEMO["port"],
        make_emulator=lambda demo: TrelloEmulator(fixed_ids=demo),
        load_demo=_load_demo,
        describe=lambda emulator: (
            f"Trello emulator on {emulator.base_url} (its page there changes cards and sends the webhooks)\n"
            "Demo backend values (Connectors > Backends > Trello):\n"
            f"  API URL     {emulator.base_url}/1\n"
            f"  API key     {emulator.api_key}\n"
            f"  App secret  {emulator.app_secret}\n"
            f"  Token       {next(iter(emulator.tokens))}   (or press Authorize)"
        ),
    )


def _load_demo(emulator):
    load_sample(emulator)
    DemoPages(emulator)
    emulator.start_auto_delivery()


if __name__ == "__main__":
    raise SystemExit(main())
