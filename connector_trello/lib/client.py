"""Trello REST API (v1) client, built on the connector_base HTTP client.

Credentials travel in the ``Authorization: OAuth ...`` header rather than the query
string, so they stay out of URLs; both quotas Trello enforces (per token and per API
key) are applied client-side before every call. Reads use nested resources so a
whole board costs a handful of calls.
"""

import hashlib
from urllib.parse import quote, urlencode

from odoo.addons.connector_base.lib.http_client import HttpClient
from odoo.addons.connector_base.lib.pagination import CursorPager

API_URL = "https://api.trello.com/1"
AUTHORIZE_URL = "https://trello.com/1/authorize"
MAX_PAGE = 1000  # Trello's largest `limit` for cards and actions

BOARD_FIELDS = "name,desc,closed,url,shortUrl,dateLastActivity"
LIST_FIELDS = "name,closed,pos,idBoard"
CARD_FIELDS = (
    "name,desc,closed,idBoard,idList,idLabels,labels,idMembers,idChecklists,pos,start,due,dueComplete,"
    "dateLastActivity,idShort,shortUrl,url,isTemplate"
)
MEMBER_FIELDS = "username,fullName,email"
# The 401 texts that refuse the credential itself; any other 401 ("unauthorized card permission
# requested", "unauthorized permission requested") refuses one object to a working token.
CREDENTIAL_REFUSALS = frozenset({"invalid token", "expired token", "invalid key"})
# Comments written on a card and those copied with it from another card.
COMMENT_ACTIONS = "commentCard,copyCommentCard"
# What every card read brings along, so one call holds everything a task is built from.
CARD_DETAILS = {
    "attachments": "true",
    "checklists": "all",
    "customFieldItems": "true",
}
# What a task's own fields are built from (reconciliation compares those, not its children).
CARD_FIELD_DETAILS = {"customFieldItems": "true"}


def authorize_url(api_key, app_name, return_url, *, api_url=API_URL, expiration="never"):
    """Where to send a person to grant a token; Trello appends ``#token=...`` to ``return_url``."""
    query = urlencode(
        {
            "key": api_key,
            "name": app_name,
            "scope": "read,write,account",
            "expiration": expiration,
            "response_type": "token",
            "callback_method": "fragment",
            "return_url": return_url,
        }
    )
    return f"{authorize_endpoint(api_url)}?{query}"


def authorize_endpoint(api_url):
    """trello.com serves the authorization page of api.trello.com; any other API (an
    emulator) serves it next to itself."""
    api_url = api_url.rstrip("/")
    return AUTHORIZE_URL if api_url == API_URL else f"{api_url}/authorize"


def _holder(secret):
    """An opaque quota-holder name: rate-limit state must not reveal the credential."""
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


def _oldest_id_of_full_page(limit):
    """Next ``before`` cursor: Trello ids grow with creation time, so the smallest id of a
    full page is where the next (older) page starts; a short page is the last one."""

    def next_cursor(page):
        return min(item["id"] for item in page) if len(page) >= limit else None

    return next_cursor


class TrelloClient(HttpClient):
    """The calls the connector makes; each returns parsed JSON."""

    platform = "Trello"
    scoped_rate_limits = {"token": (100, 10), "key": (300, 10)}

    def __init__(self, api_key, token, *, api_url=API_URL, **options):
        options.setdefault("rate_limit_holders", {"token": _holder(token), "key": _holder(api_key)})
        super().__init__(api_url, **options)
        self.api_key = api_key
        self.token = token

    # ------------------------------------------------------------------ base hooks
    def _auth_headers(self):
        return {"Authorization": f'OAuth oauth_consumer_key="{self.api_key}", oauth_token="{self.token}"'}

    def _secrets(self):
        return [*super()._secrets(), self.api_key, self.token]

    def _retry_after_from_body(self, response):
        """Trello sends no Retry-After: its quotas are 10-second windows, so wait one out."""
        interval = response.headers.get("X-Rate-Limit-Api-Token-Interval-Ms") or response.headers.get(
            "X-Rate-Limit-Api-Key-Interval-Ms"
        )
        try:
            return float(interval) / 1000 if interval else 10.0
        except ValueError:
            return 10.0

    def _refuses_credential(self, status, code, message):
        """A 401 refuses the token only with the texts of CREDENTIAL_REFUSALS; any other 401
        ("unauthorized card permission requested") and a 403 refuse one object."""
        return status == 401 and (message or "").strip().lower() in CREDENTIAL_REFUSALS

    # ------------------------------------------------------------------ identity
    def me(self):
        """The member the token belongs to (what "Test connection" shows)."""
        return self.get("/members/me", params={"fields": MEMBER_FIELDS})

    def my_boards(self):
        return self.get("/members/me/boards", params={"filter": "open", "fields": "name,closed,url"})

    # ------------------------------------------------------------------ boards
    def board(self, board_id):
        """Board with its lists, labels, custom fields, members and newest action, in one call.

        The newest action id is the polling cursor: taken before the cards are read,
        anything that changes during an import is caught by the next poll.
        """
        return self.get(
            f"/boards/{board_id}",
            params={
                "fields": BOARD_FIELDS,
                "lists": "all",
                "list_fields": LIST_FIELDS,
                "labels": "all",
                "label_fields": "name,color",
                "customFields": "true",
                "members": "all",
                "member_fields": MEMBER_FIELDS,
                "actions": "all",
                "actions_limit": "1",
                "action_fields": "id,type,date",
            },
        )

    def board_summary(self, board_ref):
        """A board's id, name and URL from its id or the short link of its URL."""
        return self.get(f"/boards/{board_ref}", params={"fields": "name,url"})

    def board_members(self, board_id):
        return self.get(f"/boards/{board_id}/members", params={"fields": MEMBER_FIELDS})

    def iter_card_pages(self, board_id, page_size=MAX_PAGE, details=CARD_DETAILS):
        """Every card of the board (archived ones too) with ``details``, a page at a time."""
        params = {"fields": CARD_FIELDS, "filter": "all", "limit": page_size, **details}
        pager = CursorPager(
            lambda cursor: self.get(f"/boards/{board_id}/cards", params={**params, **cursor}),
            next_cursor=_oldest_id_of_full_page(page_size),
            cursor_param="before",
        )
        return pager.pages()

    def iter_action_pages(self, board_id, *, since=None, action_filter=None, page_size=MAX_PAGE):
        """Board actions newer than ``since`` (an action id), newest first, a page at a time."""
        params = {"limit": page_size}
        if since:
            params["since"] = since
        if action_filter:
            params["filter"] = action_filter
        pager = CursorPager(
            lambda cursor: self.get(f"/boards/{board_id}/actions", params={**params, **cursor}),
            next_cursor=_oldest_id_of_full_page(page_size),
            cursor_param="before",
        )
        return pager.pages()

    def actions_since(self, board_id, since):
        """Board actions after ``since``, oldest first: the order to apply them in."""
        actions = [action for page in self.iter_action_pages(board_id, since=since) for action in page]
        return sorted(actions, key=lambda action: (action["date"], action["id"]))

    # ------------------------------------------------------------------ cards
    def card(self, card_id):
        """One card with its details and comments."""
        return self.get(f"/cards/{card_id}", params=self._card_params())

    @staticmethod
    def _card_params():
        return {
            "fields": CARD_FIELDS,
            **CARD_DETAILS,
            "actions": COMMENT_ACTIONS,
            "actions_limit": MAX_PAGE,
        }

    def create_card(self, values):
        return self.post("/cards", data=values)

    def cards_created_since(self, board_id, since):
        """The board's cards created at or after ``since`` (an aware datetime), newest first.

        Ids start with their creation time in seconds, so an id made of that time
        and zeros is a ``since`` cursor for the paged listing.
        """
        cursor = f"{int(since.timestamp()):08x}" + "0" * 16
        params = {"fields": CARD_FIELDS, "filter": "all", "limit": MAX_PAGE, "since": cursor}
        return self.get(f"/boards/{board_id}/cards", params=params)

    def update_card(self, card_id, values):
        """PUT the changed card fields; returns the card as Trello now holds it."""
        return self.put(f"/cards/{card_id}", data=values)

    def set_custom_field_item(self, card_id, custom_field_id, value):
        return self.put(f"/cards/{card_id}/customField/{custom_field_id}/item", json=value)

    def download_attachment(self, card_id, attachment_id, file_name):
        """Bytes of an uploaded attachment (the download route wants the auth header).

        ``file_name`` is the one the upload was stored under: the end of its ``url``."""
        return self.get(f"/cards/{card_id}/attachments/{attachment_id}/download/{quote(file_name)}")

    def create_list(self, board_id, name):
        return self.post("/lists", data={"idBoard": board_id, "name": name, "pos": "bottom"})

    def create_label(self, board_id, name, color):
        return self.post("/labels", data={"idBoard": board_id, "name": name, "color": color or ""})

    # ------------------------------------------------------------------ webhooks
    def token_webhooks(self):
        return self.get(f"/tokens/{self.token}/webhooks")

    def create_webhook(self, model_id, callback_url, description):
        """Trello checks ``callback_url`` with a HEAD request before answering."""
        return self.post(
            "/webhooks", data={"idModel": model_id, "callbackURL": callback_url, "description": description}
        )

    def webhook(self, webhook_id):
        return self.get(f"/webhooks/{webhook_id}")

    def activate_webhook(self, webhook_id):
        return self.put(f"/webhooks/{webhook_id}", data={"active": "true"})

    def delete_webhook(self, webhook_id):
        return self.delete(f"/webhooks/{webhook_id}")

    def ensure_webhook(self, model_id, callback_url, description):
        """The token's webhook for ``model_id`` and ``callback_url``, created only when missing.

        Returns (webhook, created).
        """
        for webhook in self.token_webhooks() or ():
            if webhook.get("idModel") == model_id and webhook.get("callbackURL") == callback_url:
                return webhook, False
        return self.create_webhook(model_id, callback_url, description), True
