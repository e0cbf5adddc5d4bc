"""Smartsheet API 2.0 client on the suite's HTTP client base.

Only the calls the connector makes: sheets and their rows (paged, with
``level=2`` and ``objectValue`` so multi-value columns are seen), the cheap
version probe, bulk row writes with partial success, and webhooks. Every
write carries ``Smartsheet-Change-Agent`` so the webhook events it causes can
be recognised and skipped. Tokens come from the suite's OAuth layer
(``connector.oauth.mixin``); :func:`oauth_hash` is what Smartsheet's token
endpoint takes instead of the app secret.
"""

import hashlib
import math
from typing import NamedTuple

from odoo.addons.connector_base.lib.errors import NotFoundError, ValidationError
from odoo.addons.connector_base.lib.oauth import TokenAuthClient
from odoo.addons.connector_base.lib.pagination import PageNumberPager

REGION_API_URLS = {
    "us": "https://api.smartsheet.com/2.0",
    "eu": "https://api.smartsheet.eu/2.0",
    "gov": "https://api.smartsheetgov.com/2.0",
    "au": "https://api.smartsheet.au/2.0",
}
# Where a person approves an OAuth app (the AU host is the notes' best guess).
REGION_APP_URLS = {
    "us": "https://app.smartsheet.com",
    "eu": "https://app.smartsheet.eu",
    "gov": "https://app.smartsheetgov.com",
    "au": "https://app.smartsheet.au",
}
OAUTH_SCOPES = ("READ_SHEETS", "WRITE_SHEETS", "ADMIN_WEBHOOKS", "READ_USERS", "READ_CONTACTS")

CHANGE_AGENT_HEADER = "Smartsheet-Change-Agent"
SIGNATURE_HEADER = "Smartsheet-Hmac-SHA256"
CHALLENGE_HEADER = "Smartsheet-Hook-Challenge"
CHALLENGE_RESPONSE_HEADER = "Smartsheet-Hook-Response"

MAX_ROWS_PER_WRITE = 500
# Row ids travel in the query string: this many keep a URL far below common limits.
MAX_IDS_PER_URL = 400
RATE_LIMIT_CODE = 4003
# Every 401 Smartsheet documents is about the token (1001 missing, 1002 invalid, 1003 expired,
# 1005 SSO required, 1030 cannot assume user, 1067 unknown client id); a 403 refuses one
# object (a sheet shared no more) to a working token.
CREDENTIAL_REFUSAL_STATUS = 401
# A 429 carries no Retry-After: wait this long before the in-call retry, as the SDK's first back-off does.
RATE_LIMIT_PAUSE = 1.0
# objectValue + level 2: multi-pickList and multi-contact cells arrive as lists, not joined
# text, and predecessor cells as PREDECESSOR_LIST objects.
ROW_READ_PARAMS = {"include": "objectValue", "level": 2}


def oauth_hash(app_secret, code_or_refresh_token):
    """The ``hash`` parameter of the token endpoint: the app secret never travels."""
    return hashlib.sha256(f"{app_secret}|{code_or_refresh_token}".encode()).hexdigest()


class RowWriteResult(NamedTuple):
    """Outcome of one row of a bulk add or update, in the order the rows were sent.

    ``row`` is the row Smartsheet answered with on success; ``error_code``,
    ``message`` and ``ref_id`` (Smartsheet's reference for support) say why it
    failed otherwise.
    """

    index: int
    row: dict | None
    error_code: int | None = None
    message: str | None = None
    ref_id: str | None = None

    @property
    def ok(self):
        return self.row is not None


class SmartsheetClient(TokenAuthClient):
    """One data region, one access token (from ``token_provider``: a pasted personal
    access token, or OAuth tokens the backend refreshes). ``change_agent`` is sent on
    every write.
    """

    platform = "Smartsheet"
    rate_limit = (300, 60)

    def __init__(self, base_url, *, token_provider, change_agent=None, **options):
        super().__init__(base_url, token_provider=token_provider, **options)
        self.change_agent = change_agent

    # ------------------------------------------------------------------ base hooks
    def _retry_after_from_body(self, response):
        try:
            code = response.json().get("errorCode")
        except (ValueError, AttributeError):
            return None
        return RATE_LIMIT_PAUSE if code == RATE_LIMIT_CODE else None

    def request(self, method, path, *, headers=None, **kwargs):
        if method.upper() != "GET" and self.change_agent:
            headers = {CHANGE_AGENT_HEADER: self.change_agent, **(headers or {})}
        return super().request(method, path, headers=headers, **kwargs)

    def _refuses_credential(self, status, code, message):
        return status == CREDENTIAL_REFUSAL_STATUS

    def _error(self, method, path, response):
        """The typed error, keeping Smartsheet's ``refId`` (in the message too) and ``detail``
        (which row of a bulk write was refused: ``{index, rowId}``)."""
        error = super()._error(method, path, response)
        try:
            body = response.json()
        except ValueError:
            body = None
        body = body if isinstance(body, dict) else {}
        error.ref_id = body.get("refId") if isinstance(body.get("refId"), str) else None
        error.detail = body.get("detail") if isinstance(body.get("detail"), dict) else {}
        if error.ref_id:
            error.message = f"{error.message} (refId {error.ref_id})"
            error.args = (error.message,)
        return error

    # ------------------------------------------------------------------ users
    def current_user(self):
        return self.get("/users/me")

    # ------------------------------------------------------------------ sheets
    def iter_sheets(self, page_size=100):
        """Every sheet the token can read, one page at a time."""
        return PageNumberPager(
            lambda page: self.get("/sheets", params=page),
            page_size=page_size,
            items="data",
            total_pages="totalPages",
        )

    def get_columns(self, sheet_id):
        """Every column of a sheet, with its real type (``level=2``)."""
        payload = self.get(f"/sheets/{sheet_id}/columns", params={"includeAll": "true", "level": 2})
        return payload.get("data") or []

    def get_sheet_version(self, sheet_id):
        return int(self.get(f"/sheets/{sheet_id}/version")["version"])

    def iter_sheet_pages(self, sheet_id, page_size, read_params=ROW_READ_PARAMS, **params):
        """Yield the sheet one page of rows at a time (each page holds the columns and version too).

        Stops after the page that ends the sheet (``totalRowCount``) or a short
        page, so no empty trailing call is made.
        """
        pager = PageNumberPager(
            lambda page: self.get(f"/sheets/{sheet_id}", params={**read_params, **params, **page}),
            page_size=page_size,
            items="rows",
            total_pages=lambda payload: math.ceil(int(payload.get("totalRowCount") or 0) / page_size),
        )
        return (page.payload for page in pager.pages())

    def get_rows(self, sheet_id, row_ids):
        """The sheet with just these rows, in one call per :data:`MAX_IDS_PER_URL` ids."""
        row_ids = list(row_ids)
        sheet = None
        for start in range(0, len(row_ids), MAX_IDS_PER_URL):
            chunk = row_ids[start : start + MAX_IDS_PER_URL]
            payload = self.get(
                f"/sheets/{sheet_id}", params={**ROW_READ_PARAMS, "rowIds": ",".join(map(str, chunk))}
            )
            if sheet is None:
                sheet = payload
            else:
                sheet["rows"] = (sheet.get("rows") or []) + (payload.get("rows") or [])
        return sheet if sheet is not None else {"rows": []}

    def iter_row_ids(self, sheet_id, column_id, page_size):
        """Every row id of the sheet, reading a single column (as plain values) to keep the pages small."""
        for payload in self.iter_sheet_pages(sheet_id, page_size, read_params={}, columnIds=str(column_id)):
            for row in payload.get("rows") or ():
                yield row["id"]

    # ------------------------------------------------------------------ rows
    def add_rows(self, sheet_id, rows):
        """Add rows, :data:`MAX_ROWS_PER_WRITE` per call, letting good rows through when others fail."""
        return self._write_rows("POST", sheet_id, rows)

    def update_rows(self, sheet_id, rows):
        """Update rows (each has ``id``); same batching and partial success as :meth:`add_rows`."""
        return self._write_rows("PUT", sheet_id, rows)

    def delete_rows(self, sheet_id, row_ids):
        """Delete rows; ids already gone are not an error."""
        row_ids = list(row_ids)
        deleted = []
        for start in range(0, len(row_ids), MAX_IDS_PER_URL):
            chunk = row_ids[start : start + MAX_IDS_PER_URL]
            payload = self.delete(
                f"/sheets/{sheet_id}/rows",
                params={"ids": ",".join(map(str, chunk)), "ignoreRowsNotFound": "true"},
            )
            deleted += (payload or {}).get("result") or []
        return deleted

    def _write_rows(self, method, sheet_id, rows):
        results = []
        for start in range(0, len(rows), MAX_ROWS_PER_WRITE):
            chunk = rows[start : start + MAX_ROWS_PER_WRITE]
            results += [
                result._replace(index=result.index + start)
                for result in self._write_chunk(method, sheet_id, chunk)
            ]
        return results

    def _write_chunk(self, method, sheet_id, rows):
        """Write up to 500 rows; a row refusing the whole request is set aside and the others sent again.

        With ``allowPartialSuccess`` Smartsheet lists refused rows in ``failedItems``,
        but some refusals still fail the whole request with a 400 naming one row in
        ``detail`` (its ``index``, and ``rowId`` on updates): that row gets the error,
        the rest go again, at most once per row. An error naming no row is raised.
        """
        refused = {}  # index in ``rows`` -> RowWriteResult
        pending = list(range(len(rows)))
        written = {}
        while pending:
            batch = [rows[index] for index in pending]
            try:
                payload = self.request(
                    method,
                    f"/sheets/{sheet_id}/rows",
                    # Partial success means something only when there are several rows.
                    params={"allowPartialSuccess": "true"} if len(batch) > 1 else None,
                    json=batch,
                )
            except (ValidationError, NotFoundError) as error:
                position = refused_row_position(getattr(error, "detail", None), batch)
                if position is None:
                    raise
                index = pending.pop(position)
                refused[index] = RowWriteResult(
                    index, None, error.platform_code, error.platform_message, getattr(error, "ref_id", None)
                )
                continue
            written.update(zip(pending, parse_bulk_result(payload, len(batch)), strict=True))
            break
        return [
            refused[index] if index in refused else written[index]._replace(index=index)
            for index in range(len(rows))
        ]

    # ------------------------------------------------------------------ webhooks
    def iter_webhooks(self, page_size=100):
        return PageNumberPager(
            lambda page: self.get("/webhooks", params=page),
            page_size=page_size,
            items="data",
            total_pages="totalPages",
        )

    def get_webhook(self, webhook_id):
        return self.get(f"/webhooks/{webhook_id}")

    def create_webhook(self, name, callback_url, sheet_id):
        """A new webhook on every event of the sheet; Smartsheet creates it disabled."""
        payload = self.post(
            "/webhooks",
            json={
                "name": name,
                "callbackUrl": callback_url,
                "scope": "sheet",
                "scopeObjectId": int(sheet_id),
                "events": ["*.*"],
                "version": 1,
            },
        )
        return payload["result"]

    def enable_webhook(self, webhook_id):
        """Enable it: Smartsheet verifies the callback URL during this call."""
        return self.put(f"/webhooks/{webhook_id}", json={"enabled": True})["result"]

    def delete_webhook(self, webhook_id):
        return self.delete(f"/webhooks/{webhook_id}")


def refused_row_position(detail, rows):
    """Position in ``rows`` of the row an error's ``detail`` names (``index``, else ``rowId``), or None."""
    detail = detail or {}
    index = detail.get("index")
    if isinstance(index, int) and 0 <= index < len(rows):
        return index
    row_id = detail.get("rowId")
    if row_id is not None:
        return next((position for position, row in enumerate(rows) if row.get("id") == row_id), None)
    return None


def parse_bulk_result(payload, count):
    """Per-row outcomes of a bulk write answered with ``allowPartialSuccess``.

    ``result`` lists the rows that succeeded, in request order; ``failedItems``
    names the failed ones by ``index``.
    """
    payload = payload or {}
    failures = {}
    for item in payload.get("failedItems") or ():
        error = item.get("error") or {}
        failures[int(item["index"])] = (
            error.get("errorCode"),
            error.get("message") or "Row rejected",
            error.get("refId"),
        )
    succeeded = iter(payload.get("result") or ())
    results = []
    for index in range(count):
        if index in failures:
            results.append(RowWriteResult(index, None, *failures[index]))
        else:
            row = next(succeeded, None)
            if row is None:
                results.append(RowWriteResult(index, None, None, "Smartsheet returned no row for it"))
            else:
                results.append(RowWriteResult(index, row))
    return results
