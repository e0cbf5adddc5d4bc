"""Pagers reading ahead: the next page travels while the caller works on the current one."""

import threading
import time

import pytest

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.http_client import HttpClient, PendingCall
from odoo.addons.connector_base.lib.pagination import CursorPager, OffsetPager
from odoo.addons.connector_base.tests.emulator import Emulator, EmulatorHTTPError

STALE_TOKEN = "tok-stale-0123456789"
FRESH_TOKEN = "tok-fresh-9876543210"


class RowsEmulator(Emulator):
    """``size`` rows through an offset and a cursor endpoint, behind a bearer token;
    ``missing_offset``: the offset whose page answers 404."""

    def __init__(self, size, valid_token=STALE_TOKEN, missing_offset=None):
        super().__init__()
        self.rows = [{"id": number} for number in range(size)]
        self.valid_token = valid_token
        self.missing_offset = missing_offset
        self.router.add("POST", "/items/filter", self.by_offset)
        self.router.add("GET", "/actions", self.by_cursor)
        self.router.add("POST", "/oauth/token", self.issue_token)

    def _authenticate(self, request):
        if request.headers.get("Authorization") != f"Bearer {self.valid_token}":
            raise EmulatorHTTPError(401, {"error": "invalid_token"})

    def by_offset(self, request):
        self._authenticate(request)
        offset, limit = request.json["offset"], request.json["limit"]
        if offset == self.missing_offset:
            raise EmulatorHTTPError(404, {"error": "not_found"})
        return {"total": len(self.rows), "items": self.rows[offset : offset + limit]}

    def by_cursor(self, request):
        self._authenticate(request)
        start = int(request.query.get("cursor", 0))
        end = start + 10
        return {"data": self.rows[start:end], "next": str(end) if end < len(self.rows) else None}

    def issue_token(self, request):
        self.valid_token = FRESH_TOKEN
        return {"access_token": FRESH_TOKEN}


class WatchedClient(HttpClient):
    """Records the thread that read its credentials, refreshed them and carried each transfer."""

    platform = "Example"

    def __init__(self, base_url):
        super().__init__(base_url, connect_timeout=2, read_timeout=5)
        self.token = STALE_TOKEN
        self.credential_threads, self.refresh_threads, self.transfer_threads = [], [], []
        send = self.session.request

        def watched_send(*args, **kwargs):
            self.transfer_threads.append(threading.current_thread().name)
            return send(*args, **kwargs)

        self.session.request = watched_send

    def _auth_headers(self):
        self.credential_threads.append(threading.current_thread())
        return {"Authorization": f"Bearer {self.token}"}

    def _refresh_token(self):
        self.refresh_threads.append(threading.current_thread())
        self.token = self.post("/oauth/token")["access_token"]
        return True


@pytest.fixture
def serve(serving):
    return lambda size, **options: serving(RowsEmulator(size, **options), WatchedClient)


def offset_pager(client):
    return OffsetPager(
        lambda page: client.post("/items/filter", json=page, in_background=True),
        limit=10,
        items="items",
        total="total",
        read_ahead=True,
    )


def wait_for(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


def test_the_next_page_is_asked_for_before_the_current_one_is_handed_over(serve):
    api, client = serve(25)
    pages = offset_pager(client).pages()

    first = next(pages)

    assert [row["id"] for row in first] == list(range(10))
    assert wait_for(lambda: api.count() == 2), "the second page was asked for while the caller held the first"
    rest = list(pages)
    assert [row["id"] for page in [first, *rest] for row in page] == list(range(25))
    # As many calls as without reading ahead: the total spares the empty last one.
    assert api.count() == 3
    assert [request.json["offset"] for request in api.requests] == [0, 10, 20]


def test_only_the_transfer_leaves_the_calling_thread(serve):
    _api, client = serve(25)

    assert len(list(offset_pager(client))) == 25

    assert set(client.credential_threads) == {threading.current_thread()}
    assert len(client.transfer_threads) == 3
    assert all(name.startswith("connector-http") for name in client.transfer_threads)


def test_a_refused_token_is_refreshed_on_the_calling_thread_and_the_page_still_comes(serve):
    _api, client = serve(15, valid_token=FRESH_TOKEN)

    rows = [row["id"] for row in offset_pager(client)]

    assert rows == list(range(15))
    assert client.refresh_threads == [threading.current_thread()]
    assert set(client.credential_threads) == {threading.current_thread()}


def test_a_page_sent_ahead_raises_its_typed_error_when_the_caller_takes_it(serve):
    _api, client = serve(25, missing_offset=10)
    pages = offset_pager(client).pages()

    assert len(next(pages)) == 10
    with pytest.raises(errors.NotFoundError, match="refused POST /items/filter"):
        next(pages)


def test_a_cursor_pager_reads_ahead_in_the_same_calls(serve):
    api, client = serve(25)
    pager = CursorPager(
        lambda cursor: client.get("/actions", params=cursor, in_background=True),
        next_cursor="next",
        items="data",
        read_ahead=True,
    )

    assert [row["id"] for row in pager] == list(range(25))
    assert [request.query.get("cursor") for request in api.requests] == [None, "10", "20"]


def test_a_call_sent_in_the_background_gives_the_same_result_as_one_sent_in_line(serve):
    _api, client = serve(5)

    pending = client.post("/items/filter", json={"offset": 0, "limit": 10}, in_background=True)

    assert isinstance(pending, PendingCall)
    assert pending.result() == client.post("/items/filter", json={"offset": 0, "limit": 10})
