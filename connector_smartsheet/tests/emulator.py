"""Smartsheet API 2.0 emulator: sheets, columns, rows, versions, webhooks, OAuth.

Keeps everything in memory and answers on 127.0.0.1 the way the platform notes
(``/work/shared/platform-notes/smartsheet.md``) describe Smartsheet: paged
sheets whose multi-value columns only show at ``level=2``, the ``/version``
probe, ``rowsModifiedSince`` and ``rowIds`` reads, bulk row writes with
``allowPartialSuccess``, row hierarchy (``parentId`` / ``siblingId``),
webhooks with the verification challenge and signed skinny callbacks, and the
OAuth token endpoint with its ``hash`` parameter.

Tests act as the person in Smartsheet through the helpers (:meth:`add_sheet`,
:meth:`update_cells`, :meth:`delete_row`...), then :meth:`deliver_callbacks`
sends what changed to the subscribed webhooks. Faults on demand:
:meth:`throttle` (429, errorCode 4003) and :meth:`server_error` (4001, 4002,
4004); rows to reject in bulk writes: :attr:`rejected_rows` (listed in
``failedItems``) and :attr:`request_refusals` (the whole request refused with
a 400 naming the row in ``detail``).

Cells as the recorded SDK scenarios show them: a hyperlink cell's value is its
text (``hyperlink`` holds the target; a write without ``hyperlink`` keeps it,
``"hyperlink": null`` removes it), an image cell holds a ``=SYS_CELLIMAGE(...)``
formula of its own, a predecessor cell reads as text ("2FS +2d 4h") with a
``PREDECESSOR_LIST`` object under ``include=objectValue`` and is written with
that object (``"value": null`` clears it). Cell errors Smartsheet reports for
the request as a whole (1109, 1112, 1163: shapes a cell can never have) fail the
whole request with ``detail`` even with ``allowPartialSuccess``. The recorded
scenarios give their codes, messages and ``detail``; that partial success does
not turn them into ``failedItems``, and that a text written without
``hyperlink`` keeps the cell's link, are inferred (from the issue report and from
the scenarios clearing a link with an explicit null), not documented.

Standalone, for the demo::

    python3 scripts/serve_emulator.py connector_smartsheet --port 8392 --demo
"""

import argparse
import hashlib
import hmac
import itertools
import json
import math
import re
import secrets
import time
import uuid
from datetime import datetime, timezone
from html import escape
from urllib.parse import urlencode

import requests

from odoo.addons.connector_base.tests import emulator as framework
from odoo.addons.connector_base.tests.emulator import (
    Emulator,
    EmulatorHTTPError,
    Response,
    hmac_sha256_hex,
    page_by_number,
    send_signed_webhook,
    serve,
)

# The demo `make run` serves (scripts/suite.py reads this literal without importing the file):
# the backend model that sets itself up on the emulator, and the emulator's default port.
DEMO = {"backend_model": "smartsheet.backend", "port": 8392}
UTC = timezone.utc  # datetime.UTC is Python 3.11+
API = "/2.0"
SHEET = f"{API}/sheets/{{sheet_id}}"
ROWS = f"{API}/sheets/{{sheet_id}}/rows"
VERSION = f"{API}/sheets/{{sheet_id}}/version"
COLUMNS = f"{API}/sheets/{{sheet_id}}/columns"
SHEETS = f"{API}/sheets"
USER = f"{API}/users/me"
WEBHOOKS = f"{API}/webhooks"
WEBHOOK = f"{API}/webhooks/{{webhook_id}}"
RESET_SECRET = f"{API}/webhooks/{{webhook_id}}/resetSharedSecret"
TOKEN = f"{API}/token"
AUTHORIZE = "/b/authorize"

SIGNATURE_HEADER = "Smartsheet-Hmac-SHA256"
CHALLENGE_HEADER = "Smartsheet-Hook-Challenge"
CHANGE_AGENT_HEADER = "Smartsheet-Change-Agent"
ACCESS_TOKEN_LIFETIME = 604_799
MAX_ROWS_PER_WRITE = 500
REVERIFY_EVERY = 100
SYSTEM_COLUMN_TYPES = ("AUTO_NUMBER", "CREATED_BY", "CREATED_DATE", "MODIFIED_BY", "MODIFIED_DATE")
DATE_VALUE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ERROR_STATUS = {4001: 503, 4002: 500, 4003: 429, 4004: 500}
ERROR_MESSAGES = {
    4001: "Smartsheet.com is currently offline for system maintenance. Please check back again shortly.",
    4002: "Server timeout exceeded. Request has failed.",
    4003: "Rate limit exceeded.",
    4004: "An unexpected error has occurred. Please retry your request.",
}


def iso(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def error(status, code, message, **detail):
    body = {"errorCode": code, "message": message, "refId": uuid.uuid4().hex[:10]}
    if detail:
        body["detail"] = detail
    return EmulatorHTTPError(status, body)


class RowError(Exception):
    """One row of a bulk write cannot be applied."""

    def __init__(self, code, message, status=400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


class Row:
    __slots__ = ("cells", "created_at", "id", "locked", "modified_at", "parent_id", "version")

    def __init__(self, row_id, parent_id, cells, now, version):
        self.id = row_id
        self.parent_id = parent_id
        self.cells = cells  # column id -> stored cell (value, objectValue, hyperlink, formula)
        self.created_at = self.modified_at = now
        self.version = version
        self.locked = False


class Sheet:
    def __init__(self, sheet_id, name, now):
        self.id = sheet_id
        self.name = name
        self.version = 1
        self.columns = []  # column payloads, in index order
        self.rows = []  # Row objects in display order (parents before their children)
        self.by_id = {}
        self.auto_numbers = {}  # AUTO_NUMBER column id -> last number given
        self.created_at = self.modified_at = now

    def column(self, column_id):
        return next((column for column in self.columns if column["id"] == column_id), None)

    def row(self, row_id):
        return self.by_id.get(row_id)

    def insert(self, index, rows):
        self.rows[index:index] = rows
        self.by_id.update((row.id, row) for row in rows)

    def remove(self, row_ids):
        self.rows = [row for row in self.rows if row.id not in row_ids]
        for row_id in row_ids:
            self.by_id.pop(row_id, None)

    def position(self, row_id):
        return next(index for index, row in enumerate(self.rows) if row.id == row_id)

    def subtree_end(self, row_id):
        """Index just after ``row_id`` and all its descendants."""
        start = self.position(row_id)
        inside = {row_id}
        end = start + 1
        while end < len(self.rows) and self.rows[end].parent_id in inside:
            inside.add(self.rows[end].id)
            end += 1
        return end

    def descendants(self, row_id):
        start = self.position(row_id)
        return {row.id for row in self.rows[start + 1 : self.subtree_end(row_id)]}


class SmartsheetEmulator(Emulator):
    """In-memory Smartsheet for one user, with webhooks that call back over HTTP.

    It reports no quota headers: the platform notes find none documented (UNCONFIRMED).
    """

    def __init__(self, *, tokens=("test-token",), auto_deliver=False):
        super().__init__()
        self._ids = itertools.count(4_001_000_000_000_001, 7919)
        self.user = {
            "id": self._next_id(),
            "email": "owner@example.com",
            "firstName": "Sheet",
            "lastName": "Owner",
            "locale": "en_US",
            "timeZone": "UTC",
        }
        self.tokens = dict.fromkeys(tokens)  # access token -> expiry (epoch) or None
        self.sheets = {}
        self.webhooks = {}
        self.apps = {}  # client id -> {"secret", "redirect_url"}
        self._codes = {}
        self._refresh_tokens = {}
        self.pending_events = {}  # sheet id -> events not yet called back
        self.callbacks = []  # (webhook id, raw body, signature, HTTP status answered)
        self.rejected_rows = {}  # row id -> (errorCode, message) for bulk writes to refuse
        # row id (or, for added rows, the text of their first cell) -> (errorCode, message):
        # the whole request is refused with a 400 naming that row.
        self.request_refusals = {}
        if auto_deliver:
            # Smartsheet Commercial debounces events for a minute (webhook-callbacks guide); the
            # demo calls back a second after a change, that second's events together, so a
            # person sees it arrive without waiting.
            self.start_background_delivery(self.deliver_callbacks, delay=1.0)
        routes = [
            ("GET", USER, self.get_current_user),
            ("GET", SHEETS, self.list_sheets),
            ("GET", SHEET, self.get_sheet),
            ("GET", VERSION, self.get_version),
            ("GET", COLUMNS, self.get_columns),
            ("POST", ROWS, self.add_rows),
            ("PUT", ROWS, self.update_rows),
            ("DELETE", ROWS, self.delete_rows),
            ("GET", WEBHOOKS, self.list_webhooks),
            ("POST", WEBHOOKS, self.create_webhook),
            ("GET", WEBHOOK, self.get_webhook),
            ("PUT", WEBHOOK, self.update_webhook),
            ("DELETE", WEBHOOK, self.delete_webhook),
            ("POST", RESET_SECRET, self.reset_shared_secret),
            ("POST", TOKEN, self.issue_token),
            ("GET", AUTHORIZE, self.authorize),
        ]
        for method, pattern, handler in routes:
            self.route(method, pattern, handler, public=pattern in (TOKEN, AUTHORIZE))

    # ------------------------------------------------------------------ helpers
    def clear(self):
        """Forget every sheet, webhook, event, callback and request (between tests)."""
        with self.state:
            self.sheets.clear()
            self.webhooks.clear()
            self.pending_events.clear()
            self.callbacks.clear()
            self.rejected_rows.clear()
            self.request_refusals.clear()
        self.faults.clear()
        self.reset()

    def _next_id(self):
        return next(self._ids)

    @staticmethod
    def now():
        return datetime.now(UTC).replace(microsecond=0)

    @property
    def api_url(self):
        return self.base_url + API

    def api_calls(self):
        """Calls made to the API (OAuth pages and token calls aside)."""
        return sum(1 for request in self.requests if request.path.startswith(API) and request.route != TOKEN)

    def authenticate(self, request):
        header = request.headers.get("Authorization") or ""
        token = header.removeprefix("Bearer ").strip()
        if not token:
            raise error(401, 1001, "An Access Token is required.")
        if token not in self.tokens:
            raise error(401, 1002, "Your Access Token is invalid.")
        expiry = self.tokens[token]
        if expiry is not None and expiry <= time.time():
            raise error(401, 1003, "Your Access Token has expired.")
        return token

    def _sheet(self, request):
        try:
            sheet = self.sheets.get(int(request.params["sheet_id"]))
        except ValueError:
            sheet = None
        if sheet is None:
            raise error(404, 1006, "Not Found")
        return sheet

    # ------------------------------------------------------------------ sheet building (tests, demo)
    def add_sheet(self, name, columns, rows=()):
        """Create a sheet. ``columns``: dicts with ``title``, ``type`` and optionally ``primary``,
        ``options``, ``systemColumnType``, ``formula``, ``validation``. ``rows``: see :meth:`add_row`.
        Returns the sheet id."""
        with self.state:
            sheet = Sheet(self._next_id(), name, self.now())
            for index, spec in enumerate(columns):
                column = {"id": self._next_id(), "index": index, "version": 0, "width": 150, **spec}
                column.setdefault("type", "TEXT_NUMBER")
                if column["type"] == "MULTI_PICKLIST":
                    column["version"] = 2
                elif column["type"] == "MULTI_CONTACT_LIST":
                    column["version"] = 1
                sheet.columns.append(column)
            self.sheets[sheet.id] = sheet
            for values in rows:
                self.add_row(sheet.id, values)
            self.pending_events.pop(sheet.id, None)
            return sheet.id

    def column_id(self, sheet_id, title):
        return next(column["id"] for column in self.sheets[sheet_id].columns if column["title"] == title)

    def add_row(self, sheet_id, values, parent_id=None, *, at_top=False):
        """Add a row as a person would: ``values`` maps column titles to values (a list for
        multi-value columns, an email for contacts, ``{"url": ..., "text": ...}`` for a link,
        ``{"formula": ..., "value": ...}`` for a formula). Children go last under their parent."""
        with self.state:
            sheet = self.sheets[sheet_id]
            row = Row(self._next_id(), parent_id, {}, self.now(), sheet.version)
            for title, value in values.items():
                column = next(column for column in sheet.columns if column["title"] == title)
                row.cells[column["id"]] = self._person_cell(column, value)
            if at_top:
                sheet.insert(0, [row])
            elif parent_id:
                sheet.insert(sheet.subtree_end(parent_id), [row])
            else:
                sheet.insert(len(sheet.rows), [row])
            self._fill_system_cells(sheet, row, created=True)
            self._changed(sheet, [self._event("row", "created", row.id)], None)
            return row.id

    def load_rows(self, sheet_id, rows):
        """Append many rows at once, in display order: (values, parent row id or None) pairs,
        parents before their children. Returns the new row ids; no events (sheet set-up)."""
        with self.state:
            sheet = self.sheets[sheet_id]
            columns = {column["title"]: column for column in sheet.columns}
            now = self.now()
            created = []
            for values, parent_id in rows:
                row = Row(self._next_id(), parent_id, {}, now, sheet.version)
                for title, value in values.items():
                    row.cells[columns[title]["id"]] = self._person_cell(columns[title], value)
                self._fill_system_cells(sheet, row, created=True)
                created.append(row)
            sheet.insert(len(sheet.rows), created)
            sheet.version += 1
            return [row.id for row in created]

    def update_cells(self, sheet_id, row_id, values):
        """Change cells as a person would (no change agent)."""
        with self.state:
            sheet = self.sheets[sheet_id]
            row = sheet.row(row_id)
            events = [self._event("row", "updated", row.id)]
            for title, value in values.items():
                column = next(column for column in sheet.columns if column["title"] == title)
                row.cells[column["id"]] = self._person_cell(column, value)
                events.append(self._event("cell", "updated", None, rowId=row.id, columnId=column["id"]))
            row.modified_at = self.now()
            self._fill_system_cells(sheet, row)
            self._changed(sheet, events, None)

    def move_row(self, sheet_id, row_id, parent_id):
        """Move a row (and its children) to the bottom of another parent, as a person would."""
        with self.state:
            sheet = self.sheets[sheet_id]
            self._move(sheet, sheet.row(row_id), {"parentId": parent_id, "toBottom": True})
            sheet.row(row_id).modified_at = self.now()
            self._changed(sheet, [self._event("row", "updated", row_id)], None)

    def delete_row(self, sheet_id, row_id):
        """Delete a row and its children, as a person would."""
        with self.state:
            sheet = self.sheets[sheet_id]
            gone = {row_id} | sheet.descendants(row_id)
            sheet.remove(gone)
            self._changed(sheet, [self._event("row", "deleted", gone_id) for gone_id in sorted(gone)], None)

    def add_column(self, sheet_id, spec):
        with self.state:
            sheet = self.sheets[sheet_id]
            column = {"id": self._next_id(), "index": len(sheet.columns), "version": 0, "width": 150, **spec}
            column.setdefault("type", "TEXT_NUMBER")
            sheet.columns.append(column)
            self._changed(sheet, [self._event("column", "created", column["id"])], None)
            return column["id"]

    def cell(self, sheet_id, row_id, title):
        """The stored value of a cell (lists for multi-value columns, emails for contacts)."""
        sheet = self.sheets[sheet_id]
        stored = sheet.row(row_id).cells.get(self.column_id(sheet_id, title)) or {}
        return stored.get("value")

    def _person_cell(self, column, value):
        if isinstance(value, dict) and "image" in value:
            name, image_id = value["image"], uuid.uuid4().hex[:12]
            return {
                "value": name,
                "formula": f'=SYS_CELLIMAGE("{name}","{image_id}",300,332,"{name}")',
                "image": {"id": image_id, "height": 300, "width": 332, "altText": name},
            }
        if column["type"] == "PREDECESSOR":
            # (row id, type, lag as a DURATION object or None) triples
            return {
                "value": [
                    {"rowId": row_id, "type": kind, **({"lag": lag} if lag else {})}
                    for row_id, kind, lag in value or ()
                ]
            }
        if isinstance(value, dict) and "formula" in value:
            return {"value": value.get("value"), "formula": value["formula"]}
        if isinstance(value, dict) and "url" in value:
            return {"value": value.get("text") or value["url"], "hyperlink": {"url": value["url"]}}
        kind = column["type"]
        if kind == "MULTI_PICKLIST":
            return {"value": list(value or ())}
        if kind == "MULTI_CONTACT_LIST":
            return {"value": [{"email": email, "name": email.split("@")[0]} for email in value or ()]}
        if kind == "CONTACT_LIST" and value:
            return {"value": {"email": value, "name": value.split("@")[0]}}
        return {"value": value}

    def _fill_system_cells(self, sheet, row, created=False):
        for column in sheet.columns:
            system = column.get("systemColumnType")
            if system == "AUTO_NUMBER" and created:
                number = sheet.auto_numbers[column["id"]] = sheet.auto_numbers.get(column["id"], 0) + 1
                row.cells[column["id"]] = {"value": f"{column.get('prefix', '')}{number:04d}"}
            elif system in ("CREATED_DATE", "MODIFIED_DATE") and (created or system == "MODIFIED_DATE"):
                row.cells[column["id"]] = {"value": iso(row.modified_at)}
            elif system in ("CREATED_BY", "MODIFIED_BY") and (created or system == "MODIFIED_BY"):
                row.cells[column["id"]] = {"value": {"email": self.user["email"], "name": "Sheet Owner"}}

    # ------------------------------------------------------------------ serialisation
    @staticmethod
    def _shown_type(column, level):
        kind = column["type"]
        if (kind == "MULTI_PICKLIST" and level < 2) or (kind == "MULTI_CONTACT_LIST" and level < 1):
            return "TEXT_NUMBER"
        return kind

    def _column_payload(self, column, level):
        payload = {key: value for key, value in column.items() if key not in ("prefix",)}
        payload["type"] = self._shown_type(column, level)
        return payload

    def _cell_payload(self, sheet, column, stored, level, with_object_value):
        value = stored.get("value")
        cell = {"columnId": column["id"]}
        if column["type"] in ("MULTI_PICKLIST", "MULTI_CONTACT_LIST"):
            cell.update(self._multi_value_cell(column, value, level, with_object_value))
        elif column["type"] == "PREDECESSOR":
            cell.update(self._predecessor_cell(sheet, value, with_object_value))
        elif column["type"] == "CONTACT_LIST" and isinstance(value, dict):
            cell["value"] = value["email"]
            cell["displayValue"] = value["name"]
            if with_object_value:
                cell["objectValue"] = {"objectType": "CONTACT", **value}
        elif value is not None:
            cell["value"] = value
            cell["displayValue"] = str(value)
        if stored.get("hyperlink"):
            cell["hyperlink"] = dict(stored["hyperlink"])
        if stored.get("formula"):
            cell["formula"] = stored["formula"]
        if stored.get("image"):
            cell["image"] = dict(stored["image"])
        return cell

    @staticmethod
    def _duration_text(lag):
        units = (("weeks", "w"), ("days", "d"), ("hours", "h"), ("minutes", "m"), ("seconds", "s"))
        parts = [f"{lag[unit]:g}{suffix}" for unit, suffix in units if lag.get(unit)]
        if lag.get("milliseconds"):
            parts.append(f"{lag['milliseconds']:g}ms")
        return ("-" if lag.get("negative") else "+") + " ".join(parts) if parts else ""

    def _predecessor_cell(self, sheet, predecessors, with_object_value):
        """As the "Serialization - Predecessor" scenario: "8FS +1.5w ..." text, and the object
        with each predecessor's current rowNumber under ``include=objectValue``."""
        if not predecessors:
            return {}
        numbers = {row.id: index + 1 for index, row in enumerate(sheet.rows)}
        texts, items = [], []
        for item in predecessors:
            number = numbers.get(item["rowId"])
            lag = self._duration_text(item.get("lag") or {})
            texts.append(f"{number}{item['type']}" + (f" {lag}" if lag else ""))
            shown = {"rowId": item["rowId"], "rowNumber": number, "type": item["type"]}
            if item.get("lag"):
                shown["lag"] = {"objectType": "DURATION", **item["lag"]}
            if number is None:
                shown["invalid"] = True
            items.append(shown)
        text = ", ".join(texts)
        cell = {"value": text, "displayValue": text}
        if with_object_value:
            cell["objectValue"] = {"objectType": "PREDECESSOR_LIST", "predecessors": items}
        return cell

    def _multi_value_cell(self, column, values, level, with_object_value):
        """Below the level that knows their type, multi-value cells are plain joined text."""
        values = values or []
        if column["type"] == "MULTI_PICKLIST":
            text = ", ".join(values)
            object_value = {"objectType": "MULTI_PICKLIST", "values": list(values)}
        else:
            text = ", ".join(contact["name"] for contact in values)
            object_value = {
                "objectType": "MULTI_CONTACT",
                "values": [{"objectType": "CONTACT", **contact} for contact in values],
            }
        if self._shown_type(column, level) != column["type"]:
            return {"value": text, "displayValue": text} if text else {}
        cell = {"displayValue": text}
        if with_object_value and values:
            cell["objectValue"] = object_value
        return cell

    def _row_payloads(self, sheet, rows, level=2, with_object_value=True, column_ids=None):
        """Rows as Smartsheet serialises them; ``siblingId`` and ``rowNumber`` from the display order."""
        numbers = {row.id: index + 1 for index, row in enumerate(sheet.rows)}
        siblings, last_child = {}, {}
        for row in sheet.rows:
            siblings[row.id] = last_child.get(row.parent_id)
            last_child[row.parent_id] = row.id
        columns = [column for column in sheet.columns if column_ids is None or column["id"] in column_ids]
        payloads = []
        for row in rows:
            payload = {
                "id": row.id,
                "sheetId": sheet.id,
                "rowNumber": numbers[row.id],
                "expanded": True,
                "locked": row.locked,
                "version": row.version,
                "createdAt": iso(row.created_at),
                "modifiedAt": iso(row.modified_at),
                "cells": [
                    self._cell_payload(sheet, column, row.cells[column["id"]], level, with_object_value)
                    for column in columns
                    if column["id"] in row.cells
                ],
            }
            if row.parent_id:
                payload["parentId"] = row.parent_id
            if siblings[row.id]:
                payload["siblingId"] = siblings[row.id]
            payloads.append(payload)
        return payloads

    def _sheet_summary(self, sheet):
        return {
            "id": sheet.id,
            "name": sheet.name,
            "accessLevel": "OWNER",
            "permalink": f"https://app.smartsheet.com/sheets/{sheet.id}",
            "createdAt": iso(sheet.created_at),
            "modifiedAt": iso(sheet.modified_at),
        }

    @staticmethod
    def _page(items, query, default_size=100):
        """IndexResult paging: ``includeAll`` or ``page``/``pageSize``."""
        if query.get("includeAll") == "true":
            return {
                "pageNumber": 1,
                "pageSize": len(items),
                "totalPages": 1,
                "totalCount": len(items),
                "data": items,
            }
        size = int(query.get("pageSize") or default_size)
        page = int(query.get("page") or 1)
        return {
            "pageNumber": page,
            "pageSize": size,
            "totalPages": math.ceil(len(items) / size) if items else 0,
            "totalCount": len(items),
            "data": page_by_number(items, page, size),
        }

    # ------------------------------------------------------------------ read routes
    def get_current_user(self, request):
        return dict(self.user)

    def list_sheets(self, request):
        return self._page([self._sheet_summary(sheet) for sheet in self.sheets.values()], request.query)

    def get_version(self, request):
        sheet = self._sheet(request)
        return {"version": sheet.version}

    def get_columns(self, request):
        sheet = self._sheet(request)
        level = int(request.query.get("level") or 0)
        return self._page([self._column_payload(column, level) for column in sheet.columns], request.query)

    def get_sheet(self, request):
        sheet = self._sheet(request)
        query = request.query
        if "ifVersionAfter" in query and sheet.version <= int(query["ifVersionAfter"]):
            return {"version": sheet.version}
        level = int(query.get("level") or 0)
        with_object_value = "objectValue" in (query.get("include") or "").split(",")
        rows = sheet.rows
        if query.get("rowIds"):
            wanted = {int(part) for part in query["rowIds"].split(",")}
            rows = [row for row in rows if row.id in wanted]
        if query.get("rowsModifiedSince"):
            since = parse_iso(query["rowsModifiedSince"])
            rows = [row for row in rows if row.modified_at >= since]
        if "page" in query or "pageSize" in query:
            size = int(query.get("pageSize") or 100)
            page = int(query.get("page") or 1)
            rows = page_by_number(rows, page, size)
        column_ids = None
        if query.get("columnIds"):
            column_ids = {int(part) for part in query["columnIds"].split(",")}
        return {
            **self._sheet_summary(sheet),
            "version": sheet.version,
            "totalRowCount": len(sheet.rows),
            "columns": [
                self._column_payload(column, level)
                for column in sheet.columns
                if column_ids is None or column["id"] in column_ids
            ],
            "rows": self._row_payloads(sheet, rows, level, with_object_value, column_ids),
        }

    # ------------------------------------------------------------------ row writes
    def add_rows(self, request):
        return self._bulk(request, self._add_one)

    def update_rows(self, request):
        return self._bulk(request, self._update_one)

    def _bulk(self, request, apply_one):
        sheet = self._sheet(request)
        rows = request.json
        if isinstance(rows, dict):
            rows = [rows]
        if not isinstance(rows, list) or not rows:
            raise error(400, 1008, "Unable to parse request.")
        if len(rows) > MAX_ROWS_PER_WRITE:
            raise error(400, 1020, f"Too many rows: at most {MAX_ROWS_PER_WRITE} per request.")
        locations = {
            tuple(
                sorted(key for key in row if key in ("toTop", "toBottom", "parentId", "siblingId", "above"))
            )
            for row in rows
        }
        if len(locations) > 1:
            raise error(400, 1062, "All rows must use the same location specifier.")
        partial = request.query.get("allowPartialSuccess") == "true"
        agent = request.headers.get(CHANGE_AGENT_HEADER)
        self._refuse_before_writing(sheet, rows, partial, adding=apply_one == self._add_one)
        results, failed, events = [], [], []
        anchor = None
        for index, row in enumerate(rows):
            try:
                self._check_row(sheet, row, adding=apply_one == self._add_one)
                applied, anchor = apply_one(sheet, row, anchor, events)
            except RowError as failure:
                failed.append(
                    {
                        "index": index,
                        **({"rowId": row["id"]} if row.get("id") else {}),
                        "error": {
                            "errorCode": failure.code,
                            "message": failure.message,
                            "refId": uuid.uuid4().hex[:10],
                        },
                    }
                )
                continue
            results.append(applied)
        if results:
            self._changed(sheet, events, agent)
        payload = {
            "message": "PARTIAL_SUCCESS" if failed else "SUCCESS",
            "resultCode": 3 if failed else 0,
            "version": sheet.version,
            "result": self._row_payloads(sheet, results),
        }
        if failed:
            payload["failedItems"] = failed
        return payload

    def _refuse_before_writing(self, sheet, rows, partial, adding):
        """Refusals of the request as a whole come first, partial success or not; then an
        all-or-nothing call is checked row by row before anything changes."""
        for index, row in enumerate(rows):
            try:
                self._check_request_row(row)
                if not partial:
                    self._check_row(sheet, row, adding=adding)
            except RowError as failure:
                raise self._row_refusal(failure, index, row) from None

    @staticmethod
    def _row_refusal(failure, index, row):
        """The 400 naming the row, as the recorded invalid-row scenarios: ``{index}`` for an
        added row, ``{index, rowId}`` for an updated one."""
        detail = {"index": index, **({"rowId": row["id"]} if row.get("id") else {})}
        return error(failure.status, failure.code, failure.message, **detail)

    def _check_request_row(self, row):
        key = row.get("id") or next((cell.get("value") for cell in row.get("cells") or ()), None)
        if key in self.request_refusals:
            raise RowError(*self.request_refusals[key])
        for cell in row.get("cells") or ():
            hyperlink = cell.get("hyperlink")
            if hyperlink and cell.get("linkInFromCell"):
                raise RowError(1109, "Only one of cell.hyperlink or cell.linkInFromCell may be non-null.")
            if (
                hyperlink
                and hyperlink.get("url")
                and any(hyperlink.get(key) for key in ("sheetId", "reportId", "sightId"))
            ):
                raise RowError(1112, "hyperlink.url must be null for sheet, report, or Sight hyperlinks.")
            if "formula" in cell and cell.get("value") is not None:
                raise RowError(1163, "If cell.formula is specified, then value must be null.")

    def _check_row(self, sheet, row, adding):
        if not adding:
            target = sheet.row(row.get("id"))
            if target is None:
                raise RowError(1006, "Not Found", 404)
        if row.get("id") in self.rejected_rows:
            code, message = self.rejected_rows[row["id"]]
            raise RowError(code, message)
        for key in ("parentId", "siblingId"):
            if row.get(key) and sheet.row(row[key]) is None:
                raise RowError(1006, f"{key} {row[key]} was not found.", 404)
        if (
            not adding
            and row.get("parentId")
            and (row["parentId"] == row["id"] or row["parentId"] in sheet.descendants(row["id"]))
        ):
            raise RowError(1068, "A row cannot be moved under itself.")
        for cell in row.get("cells") or ():
            self._check_cell(sheet, cell)

    @staticmethod
    def _check_cell(sheet, cell):
        column = sheet.column(cell.get("columnId"))
        if column is None:
            raise RowError(1036, f"The columnId {cell.get('columnId')} is invalid.")
        if column.get("systemColumnType") or column.get("formula") or column["type"] == "DATETIME":
            raise RowError(1302, f"The value for column {column['title']} is computed and cannot be set.")
        object_value = cell.get("objectValue") or {}
        if column["type"] == "PREDECESSOR" and object_value.get("objectType") == "PREDECESSOR_LIST":
            for item in object_value.get("predecessors") or ():
                if sheet.row(item.get("rowId")) is None:
                    raise RowError(1006, f"Predecessor row {item.get('rowId')} was not found.", 404)
        value = cell.get("value")
        kind = column["type"]
        if (
            kind in ("DATE", "ABSTRACT_DATETIME")
            and value not in (None, "")
            and not (isinstance(value, str) and DATE_VALUE.match(value[:10]))
        ):
            raise RowError(
                1042,
                f"The value for cell in column {column['id']}, {value}, did not conform to the strict "
                f"requirements for type {kind}.",
            )
        if kind == "CHECKBOX" and value not in (None, "") and not isinstance(value, bool):
            raise RowError(
                1042,
                f"The value for cell in column {column['id']}, {value}, did not conform to the strict "
                "requirements for type CHECKBOX.",
            )
        if (
            kind == "PICKLIST"
            and column.get("validation")
            and value not in (None, "", *column.get("options", ()))
        ):
            raise RowError(1235, f"Value {value} is not a valid option for column {column['title']}.")

    def _stored_cell(self, column, cell, before):
        if "formula" in cell:
            return {"value": None, "formula": cell["formula"]}
        kind = column["type"]
        object_value = cell.get("objectValue")
        value = cell.get("value")
        if kind == "PREDECESSOR":
            items = (object_value or {}).get("predecessors") if object_value else None
            return {
                "value": [
                    {key: item[key] for key in ("rowId", "type", "lag") if key in item}
                    for item in items or ()
                ]
            }
        if value == "":
            return {"value": False if kind == "CHECKBOX" else None}
        if kind == "MULTI_PICKLIST":
            values = (
                object_value.get("values")
                if object_value
                else [part.strip() for part in str(value or "").split(",")]
            )
            return {"value": [item for item in values if item]}
        if kind == "MULTI_CONTACT_LIST":
            contacts = object_value.get("values") if object_value else []
            return {
                "value": [
                    {"email": c["email"], "name": c.get("name") or c["email"].split("@")[0]} for c in contacts
                ]
            }
        if kind == "CONTACT_LIST":
            email = object_value.get("email") if object_value else value
            return {"value": {"email": email, "name": email.split("@")[0]} if email else None}
        stored = {"value": value[:4000] if isinstance(value, str) else value}
        # A new text keeps the cell's link unless the write names another one or null.
        hyperlink = cell["hyperlink"] if "hyperlink" in cell else (before or {}).get("hyperlink")
        if hyperlink:
            stored["hyperlink"] = dict(hyperlink)
            if value is None:
                stored["value"] = hyperlink.get("url")
        return stored

    def _apply_cells(self, sheet, row, cells, events):
        for cell in cells or ():
            column = sheet.column(cell["columnId"])
            stored = self._stored_cell(column, cell, row.cells.get(column["id"]))
            if row.cells.get(column["id"]) != stored:
                row.cells[column["id"]] = stored
                events.append(self._event("cell", "updated", None, rowId=row.id, columnId=column["id"]))

    def _insertion_index(self, sheet, location, anchor):
        """Where a new (or moved) row goes, and its parent; ``anchor`` is the row placed just
        before by the same request, so rows of one request stay together in order."""
        if anchor is not None:
            return sheet.position(anchor.id) + 1, anchor.parent_id
        if location.get("siblingId"):
            sibling = sheet.row(location["siblingId"])
            if location.get("above"):
                return sheet.position(sibling.id), sibling.parent_id
            return sheet.subtree_end(sibling.id), sibling.parent_id
        if location.get("parentId"):
            parent = location["parentId"]
            if location.get("toBottom"):
                return sheet.subtree_end(parent), parent
            return sheet.position(parent) + 1, parent
        if location.get("toTop"):
            return 0, None
        return len(sheet.rows), None

    def _add_one(self, sheet, payload, anchor, events):
        row = Row(self._next_id(), None, {}, self.now(), sheet.version + 1)
        index, row.parent_id = self._insertion_index(sheet, payload, anchor)
        sheet.insert(index, [row])
        self._apply_cells(sheet, row, payload.get("cells"), [])
        self._fill_system_cells(sheet, row, created=True)
        events.append(self._event("row", "created", row.id))
        return row, row

    def _update_one(self, sheet, payload, anchor, events):
        row = sheet.row(payload["id"])
        before = len(events)
        self._apply_cells(sheet, row, payload.get("cells"), events)
        if any(key in payload for key in ("toTop", "toBottom", "parentId", "siblingId")):
            self._move(sheet, row, payload)
            events.append(self._event("row", "updated", row.id))
        if len(events) > before:
            row.modified_at = self.now()
            row.version = sheet.version + 1
            self._fill_system_cells(sheet, row)
        return row, None

    def _move(self, sheet, row, location):
        start, end = sheet.position(row.id), sheet.subtree_end(row.id)
        block = sheet.rows[start:end]
        sheet.remove({moved.id for moved in block})
        index, row.parent_id = self._insertion_index(sheet, location, None)
        sheet.insert(index, block)

    def delete_rows(self, request):
        sheet = self._sheet(request)
        ids = [int(part) for part in (request.query.get("ids") or "").split(",") if part]
        ignore_missing = request.query.get("ignoreRowsNotFound") == "true"
        missing = [row_id for row_id in ids if sheet.row(row_id) is None]
        if missing and not ignore_missing:
            raise error(404, 1006, "Not Found")
        gone = set()
        for row_id in ids:
            if sheet.row(row_id) is not None and row_id not in gone:
                gone |= {row_id} | sheet.descendants(row_id)
        sheet.remove(gone)
        if gone:
            self._changed(
                sheet,
                [self._event("row", "deleted", row_id) for row_id in sorted(gone)],
                request.headers.get(CHANGE_AGENT_HEADER),
            )
        return {"message": "SUCCESS", "resultCode": 0, "version": sheet.version, "result": sorted(gone)}

    # ------------------------------------------------------------------ change tracking and callbacks
    def _event(self, object_type, event_type, object_id, **extra):
        event = {
            "objectType": object_type,
            "eventType": event_type,
            "userId": self.user["id"],
            "timestamp": iso(self.now()),
            **extra,
        }
        if object_id is not None:
            event["id"] = object_id
        return event

    def _changed(self, sheet, events, change_agent):
        sheet.version += 1
        sheet.modified_at = self.now()
        if change_agent:
            for event in events:
                event["changeAgent"] = change_agent
        sheet_event = self._event("sheet", "updated", sheet.id)
        if change_agent:
            sheet_event["changeAgent"] = change_agent
        events = [sheet_event, *events]
        self.pending_events.setdefault(sheet.id, []).extend(events)
        self.delivery_wanted()

    def _subscribed(self, sheet_id):
        """The webhook that gets a sheet's callbacks: the oldest enabled one per callback URL."""
        chosen = {}
        for hook in sorted(self.webhooks.values(), key=lambda hook: hook["createdAt"]):
            if hook["scopeObjectId"] == sheet_id and hook["enabled"]:
                chosen.setdefault(hook["callbackUrl"], hook)
        return list(chosen.values())

    def deliver_callbacks(self, sheet_id=None):
        """Send the pending events of one sheet (or all) to the subscribed webhooks.

        Returns the HTTP responses received. Events of a sheet without an enabled
        webhook are dropped, as Smartsheet does.
        """
        with self.state:
            sheet_ids = [sheet_id] if sheet_id is not None else list(self.pending_events)
            batches = [(sid, self.pending_events.pop(sid, [])) for sid in sheet_ids]
        responses = []
        for sid, events in batches:
            if not events:
                continue
            for hook in self._subscribed(sid):
                body = {
                    "nonce": str(uuid.uuid4()),
                    "timestamp": iso(self.now()),
                    "webhookId": hook["id"],
                    "scope": "sheet",
                    "scopeObjectId": sid,
                    "events": events,
                }
                responses.append(self.send_callback(hook["id"], body))
        return responses

    def send_callback(self, webhook_id, body, *, secret=None, raw=None):
        """POST one signed callback (``secret`` overrides the webhook's, to forge one)."""
        hook = self.webhooks[webhook_id]
        raw = raw if raw is not None else json.dumps(body).encode()
        signature = hmac_sha256_hex(secret or hook["sharedSecret"])(raw, hook["callbackUrl"])
        response = self._post_callback(hook, raw, signature)
        self.callbacks.append((webhook_id, raw, signature, response.status_code))
        hook["stats"]["lastCallbackAttempt"] = iso(self.now())
        if response.status_code == 200:
            hook["stats"]["lastSuccessfulCallback"] = iso(self.now())
        hook["callbackCount"] += 1
        if hook["callbackCount"] % REVERIFY_EVERY == 0:
            self.verify(hook)
        return response

    def redeliver(self, index=-1):
        """Send a callback already delivered again, byte for byte (Smartsheet retries after a timeout)."""
        webhook_id, raw, signature, _status = self.callbacks[index]
        response = self._post_callback(self.webhooks[webhook_id], raw, signature)
        self.callbacks.append((webhook_id, raw, signature, response.status_code))
        return response

    @staticmethod
    def _post_callback(hook, raw, signature):
        return send_signed_webhook(
            hook["callbackUrl"], raw, signature_header=SIGNATURE_HEADER, signature=signature, timeout=30
        )

    def verify(self, hook):
        """The verification challenge; True when the callback URL echoed it (header or body)."""
        challenge = secrets.token_hex(16)
        try:
            response = requests.post(
                hook["callbackUrl"],
                json={"challenge": challenge, "webhookId": hook["id"]},
                headers={CHALLENGE_HEADER: challenge},
                timeout=30,
            )
        except requests.RequestException:
            response = None
        echoed = False
        if response is not None and response.status_code == 200:
            echoed = response.headers.get("Smartsheet-Hook-Response") == challenge
            if not echoed:
                try:
                    echoed = (response.json() or {}).get("smartsheetHookResponse") == challenge
                except ValueError:
                    echoed = False
        hook["enabled"] = echoed
        hook["status"] = "ENABLED" if echoed else "DISABLED_VERIFICATION_FAILED"
        hook["modifiedAt"] = iso(self.now())
        return echoed

    def change_webhook_status(self, webhook_id, status):
        """Smartsheet changing a webhook's status by itself (scope lost, callbacks failing...),
        with the status callback it sends about it."""
        hook = self.webhooks[webhook_id]
        hook["status"] = status
        hook["enabled"] = status == "ENABLED"
        body = {
            "nonce": str(uuid.uuid4()),
            "timestamp": iso(self.now()),
            "webhookId": webhook_id,
            "scope": "sheet",
            "scopeObjectId": hook["scopeObjectId"],
            "newWebhookStatus": status,
        }
        return self.send_callback(webhook_id, body)

    # ------------------------------------------------------------------ webhook routes
    def _webhook(self, request):
        hook = self.webhooks.get(int(request.params["webhook_id"]))
        if hook is None:
            raise error(404, 1006, "Not Found")
        return hook

    @staticmethod
    def _webhook_payload(hook):
        return {key: value for key, value in hook.items() if key != "callbackCount"}

    def list_webhooks(self, request):
        return self._page([self._webhook_payload(hook) for hook in self.webhooks.values()], request.query)

    def create_webhook(self, request):
        body = request.json or {}
        if body.get("scope") != "sheet" or int(body.get("scopeObjectId") or 0) not in self.sheets:
            raise error(400, 1151, "Scope object not found.")
        if body.get("events") != ["*.*"] or body.get("version") != 1:
            raise error(400, 1012, "events must be ['*.*'] and version 1.")
        if not body.get("callbackUrl") or not body.get("name"):
            raise error(400, 1012, "Required object attributes are missing: name, callbackUrl.")
        now = iso(self.now())
        hook = {
            "id": self._next_id(),
            "name": body["name"],
            "callbackUrl": body["callbackUrl"],
            "scope": "sheet",
            "scopeObjectId": int(body["scopeObjectId"]),
            "events": ["*.*"],
            "version": 1,
            "enabled": False,
            "status": "NEW_NOT_VERIFIED",
            "sharedSecret": secrets.token_hex(13),
            "stats": {},
            "createdAt": now,
            "modifiedAt": now,
            "callbackCount": 0,
        }
        if body.get("subscope"):
            hook["subscope"] = body["subscope"]
        self.webhooks[hook["id"]] = hook
        return {"message": "SUCCESS", "resultCode": 0, "result": self._webhook_payload(hook)}

    def get_webhook(self, request):
        return self._webhook_payload(self._webhook(request))

    def update_webhook(self, request):
        hook = self._webhook(request)
        body = request.json or {}
        for key in ("name", "callbackUrl"):
            if key in body:
                hook[key] = body[key]
        if body.get("enabled") is True:
            self.verify(hook)
        elif body.get("enabled") is False:
            hook["enabled"] = False
            hook["status"] = "DISABLED_BY_OWNER"
        return {"message": "SUCCESS", "resultCode": 0, "result": self._webhook_payload(hook)}

    def delete_webhook(self, request):
        hook = self._webhook(request)
        del self.webhooks[hook["id"]]
        return {"message": "SUCCESS", "resultCode": 0}

    def reset_shared_secret(self, request):
        hook = self._webhook(request)
        hook["sharedSecret"] = secrets.token_hex(13)
        return {"message": "SUCCESS", "resultCode": 0, "result": {"sharedSecret": hook["sharedSecret"]}}

    # ------------------------------------------------------------------ OAuth
    def register_app(self, client_id, app_secret, redirect_url):
        self.apps[client_id] = {"secret": app_secret, "redirect_url": redirect_url}

    def authorize(self, request):
        """The consent page, approved at once: back to the app with a code and the state."""
        client_id = request.query.get("client_id")
        app = self.apps.get(client_id)
        if app is None or request.query.get("response_type") != "code":
            return Response(400, "unknown client_id or response_type")
        code = secrets.token_hex(8)
        self._codes[code] = client_id
        target = app["redirect_url"] or request.query.get("redirect_uri")
        query = urlencode({"code": code, "state": request.query.get("state", ""), "expires_in": 599})
        return Response(302, b"", {"Location": f"{target}?{query}"})

    def issue_token(self, request):
        form = request.form
        app = self.apps.get(form.get("client_id"))
        if app is None:
            raise error(401, 1067, "Invalid client_id")
        grant = form.get("grant_type")
        if grant == "authorization_code":
            secret_input = form.get("code")
            if self._codes.pop(secret_input, None) != form["client_id"]:
                raise error(400, 1004, "Invalid authorization code.")
        elif grant == "refresh_token":
            secret_input = form.get("refresh_token")
            if self._refresh_tokens.pop(secret_input, None) != form["client_id"]:
                raise error(400, 1004, "Invalid refresh token.")
        else:
            raise error(400, 1004, "Unsupported grant_type.")
        expected = hashlib.sha256(f"{app['secret']}|{secret_input}".encode()).hexdigest()
        if not hmac.compare_digest(expected, form.get("hash") or ""):
            raise error(400, 1004, "Invalid hash.")
        access, refresh = secrets.token_hex(13), secrets.token_hex(10)
        self.tokens[access] = time.time() + ACCESS_TOKEN_LIFETIME
        self._refresh_tokens[refresh] = form["client_id"]
        return {
            "access_token": access,
            "token_type": "bearer",
            "refresh_token": refresh,
            "expires_in": ACCESS_TOKEN_LIFETIME,
        }

    def expire_access_token(self, token):
        self.tokens[token] = time.time() - 1

    # ------------------------------------------------------------------ faults
    def throttle(self, times=1, route=None):
        """Answer the next ``times`` calls (to ``route``) with 429, errorCode 4003."""
        return self.server_error(4003, times=times, route=route)

    def server_error(self, code, times=1, route=None):
        """Answer the next calls with Smartsheet's 4001 (maintenance), 4002 (timeout),
        4003 (rate limit) or 4004 (unexpected, retry)."""
        return self.faults.add(
            status=ERROR_STATUS[code],
            body={"errorCode": code, "message": ERROR_MESSAGES[code], "refId": uuid.uuid4().hex[:10]},
            times=times,
            route=route,
        )


# ---------------------------------------------------------------------- sample data
TASK_COLUMNS = [
    {"title": "Task Name", "type": "TEXT_NUMBER", "primary": True},
    {"title": "Status", "type": "PICKLIST", "options": ["Not Started", "In Progress", "Done"]},
    {"title": "Due", "type": "DATE"},
    {"title": "Assigned To", "type": "CONTACT_LIST"},
    {"title": "Tags", "type": "MULTI_PICKLIST", "options": ["Urgent", "Customer", "Internal"]},
    {"title": "Flagged", "type": "CHECKBOX", "symbol": "FLAG"},
    {"title": "Notes", "type": "TEXT_NUMBER"},
    {"title": "Spec", "type": "TEXT_NUMBER"},
    {"title": "Duration", "type": "DURATION"},
    {"title": "Ticket", "type": "TEXT_NUMBER", "systemColumnType": "AUTO_NUMBER", "prefix": "TCK-"},
    {"title": "Modified", "type": "DATETIME", "systemColumnType": "MODIFIED_DATE"},
    {"title": "Hours", "type": "TEXT_NUMBER"},
    {"title": "Cost", "type": "TEXT_NUMBER", "formula": "=[Hours]@row * 80"},
    {"title": "Predecessors", "type": "PREDECESSOR"},
]
MRP_COLUMNS = [
    {"title": "Order", "type": "TEXT_NUMBER", "primary": True},
    {"title": "Product", "type": "TEXT_NUMBER"},
    {"title": "Quantity", "type": "TEXT_NUMBER"},
    {"title": "Start", "type": "DATE"},
    {"title": "Deadline", "type": "DATE"},
    {
        "title": "Status",
        "type": "PICKLIST",
        "options": ["Draft", "Confirmed", "In Progress", "Done", "Cancelled"],
    },
]
INVENTORY_COLUMNS = [
    {"title": "Product", "type": "TEXT_NUMBER", "primary": True},
    {"title": "Location", "type": "TEXT_NUMBER"},
    {"title": "Lot/Serial", "type": "TEXT_NUMBER"},
    {"title": "Counted", "type": "TEXT_NUMBER"},
]


def load_demo(emulator):
    """Sample sheets: a three-level project plan, a production plan and a stock count."""
    plan = emulator.add_sheet("Website Launch", TASK_COLUMNS)
    phases = [
        ("Design", ["Wireframes", "Visual identity"]),
        ("Build", ["Front end", "Back end"]),
        ("Launch", ["Go-live checklist"]),
    ]
    statuses = ["Not Started", "In Progress", "Done"]
    task_ids = {}
    for phase_index, (phase, tasks) in enumerate(phases):
        phase_id = emulator.add_row(
            plan, {"Task Name": phase, "Status": statuses[phase_index], "Flagged": phase_index == 0}
        )
        for task_index, task in enumerate(tasks):
            task_id = emulator.add_row(
                plan,
                {
                    "Task Name": task,
                    "Status": statuses[(phase_index + task_index) % 3],
                    "Due": f"2025-0{phase_index + 4}-{10 + task_index * 5}",
                    "Assigned To": "owner@example.com",
                    "Tags": ["Customer"] if task_index else ["Urgent", "Internal"],
                    "Spec": {
                        "url": f"https://example.com/specs/{task.lower().replace(' ', '-')}",
                        "text": "Spec",
                    },
                    "Duration": f"{task_index + 2}d",
                    "Hours": 8 * (task_index + 1),
                    "Cost": {"formula": "=[Hours]@row * 80", "value": 640 * (task_index + 1)},
                },
                parent_id=phase_id,
            )
            emulator.add_row(
                plan, {"Task Name": f"Review {task.lower()}", "Status": "Not Started"}, parent_id=task_id
            )
            task_ids[task] = task_id
    # The back end starts when the front end does; the checklist waits for both.
    emulator.update_cells(plan, task_ids["Back end"], {"Predecessors": [(task_ids["Front end"], "SS", None)]})
    emulator.update_cells(
        plan,
        task_ids["Go-live checklist"],
        {"Predecessors": [(task_ids["Front end"], "FS", None), (task_ids["Back end"], "FS", None)]},
    )
    emulator.update_cells(plan, task_ids["Wireframes"], {"Notes": {"image": "wireframe-v1.png"}})
    emulator.add_sheet(
        "Production Plan",
        MRP_COLUMNS,
        [
            {
                "Order": "Batch 1",
                "Product": "FURN_8888",
                "Quantity": 5,
                "Start": "2025-05-02",
                "Status": "Confirmed",
            },
            {
                "Order": "Batch 2",
                "Product": "Office Chair",
                "Quantity": 12,
                "Start": "2025-05-09",
                "Status": "Draft",
            },
        ],
    )
    emulator.add_sheet(
        "Stock Count",
        INVENTORY_COLUMNS,
        [
            {"Product": "FURN_7777", "Location": "WH/Stock", "Counted": 42},
            {"Product": "FURN_9999", "Location": "WH/Stock", "Lot/Serial": "LOT-2025-01", "Counted": 7},
        ],
    )
    emulator.pending_events.clear()


class DemoPages(framework.DemoPages):
    """What a person uses in the demo instead of Smartsheet's web app: the sheets, and a form
    per row to change its primary cell as the sheet's owner would. Each change is called back."""

    title = "Smartsheet emulator"

    def __init__(self, emulator):
        super().__init__(emulator)
        emulator.router.add("POST", "/demo/sheets/{sheet_id}/rows/{row_id}", self.change_row)

    def credentials(self):
        return {"token": next(iter(self.emulator.tokens))}

    def sections(self):
        parts = [f"<p>{len(self.emulator.webhooks)} webhook(s) registered.</p>"]
        for sheet in self.emulator.sheets.values():
            primary = next(column["id"] for column in sheet.columns if column.get("primary"))
            parts.append(f"<h2>{escape(sheet.name)}</h2><ul>")
            depth = {}
            for row in sheet.rows:  # parents come before their children
                depth[row.id] = depth[row.parent_id] + 1 if row.parent_id else 0
                value = escape(str((row.cells.get(primary) or {}).get("value") or ""))
                parts.append(
                    f"<li style='margin-left: {depth[row.id] * 2}em'><form method='post' "
                    f"action='/demo/sheets/{sheet.id}/rows/{row.id}'><input name='value' value='{value}'> "
                    "<button>Save</button></form></li>"
                )
            parts.append("</ul>")
        return parts

    def change_row(self, request):
        emulator = self.emulator
        with emulator.state:
            sheet = emulator.sheets.get(int(request.params["sheet_id"]))
            row_id = int(request.params["row_id"])
            if sheet is None or sheet.row(row_id) is None:
                raise error(404, 1006, "Not Found")
            primary = next(column["title"] for column in sheet.columns if column.get("primary"))
            emulator.update_cells(sheet.id, row_id, {primary: request.form.get("value", "")})
        return Response(303, b"", {"Location": "/"})


def main(argv=None):
    parser = argparse.ArgumentParser(description="Serve the Smartsheet emulator on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=DEMO["port"])
    parser.add_argument("--demo", action="store_true", help="load the sample sheets")
    parser.add_argument("--token", default="smartsheet-demo-token", help="personal access token to accept")
    args = parser.parse_args(argv)
    emulator = SmartsheetEmulator(tokens=(args.token,), auto_deliver=True)
    if args.demo:
        load_demo(emulator)
        DemoPages(emulator)
    return serve(
        emulator,
        args.port,
        lambda: (
            f"Smartsheet emulator on {emulator.api_url} (access token {args.token!r}, "
            f"{len(emulator.sheets)} sheets); its page on {emulator.base_url} changes rows"
        ),
    )


if __name__ == "__main__":
    raise SystemExit(main())
