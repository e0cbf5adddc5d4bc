import pytest

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.http_client import HttpClient
from odoo.addons.connector_base.lib.pagination import CursorPager, OffsetPager, PageNumberPager
from odoo.addons.connector_base.tests.emulator import Emulator


class ListEmulator(Emulator):
    """Serves ``size`` rows through a page-number, an offset and a cursor endpoint."""

    def __init__(self, size):
        super().__init__()
        self.rows = [{"id": number} for number in range(size)]
        self.router.add("GET", "/sheets", self.by_page_number)
        self.router.add("POST", "/items/filter", self.by_offset)
        self.router.add("GET", "/actions", self.by_cursor)

    def by_page_number(self, request):
        page, size = int(request.query["page"]), int(request.query["pageSize"])
        return {
            "pageNumber": page,
            "totalPages": -(-len(self.rows) // size),
            "data": self.rows[(page - 1) * size : page * size],
        }

    def by_offset(self, request):
        offset, limit = request.json["offset"], request.json["limit"]
        return {"total": len(self.rows), "items": self.rows[offset : offset + limit]}

    def by_cursor(self, request):
        start = int(request.query.get("cursor", 0))
        end = start + int(request.query["limit"])
        return {"data": self.rows[start:end], "next": str(end) if end < len(self.rows) else None}


@pytest.fixture
def serve(serving):
    return lambda size: serving(ListEmulator(size), HttpClient)


def _page_number_pager(client, **options):
    return PageNumberPager(
        lambda params: client.get("/sheets", params=params), page_size=10, items="data", **options
    )


def _offset_pager(client, **options):
    def fetch(page):
        return client.post("/items/filter", json={"sort_by": "id", **page})

    return OffsetPager(fetch, limit=10, items="items", **options)


def test_page_number_pager_stops_at_the_first_short_page(serve):
    api, client = serve(25)
    pager = _page_number_pager(client)

    assert [row["id"] for row in pager] == list(range(25))
    assert pager.calls == api.count() == 3


def test_page_number_pager_needs_an_empty_page_after_a_full_last_page(serve):
    api, client = serve(20)
    pager = _page_number_pager(client)

    assert len(list(pager)) == 20
    assert pager.calls == api.count() == 3
    assert api.requests[-1].query == {"page": "3", "pageSize": "10"}


def test_page_number_pager_uses_total_pages_to_skip_the_empty_page(serve):
    api, client = serve(20)
    pager = _page_number_pager(client, total_pages="totalPages")

    assert len(list(pager)) == 20
    assert pager.calls == api.count() == 2


def test_offset_pager_sends_offsets_in_a_post_body_and_stops_at_a_short_page(serve):
    api, client = serve(25)
    pager = _offset_pager(client)

    assert [row["id"] for row in pager] == list(range(25))
    assert pager.calls == api.count() == 3
    assert [request.json for request in api.requests] == [
        {"sort_by": "id", "offset": offset, "limit": 10} for offset in (0, 10, 20)
    ]


def test_offset_pager_uses_the_total_to_skip_the_empty_page(serve):
    api, client = serve(20)
    pager = _offset_pager(client, total="total")

    assert len(list(pager)) == 20
    assert pager.calls == api.count() == 2


def test_cursor_pager_follows_the_cursor_until_it_is_absent(serve):
    api, client = serve(25)
    pager = CursorPager(
        lambda params: client.get("/actions", params={"limit": 10, **params}),
        next_cursor="next",
        items="data",
    )

    assert [row["id"] for row in pager] == list(range(25))
    assert pager.calls == api.count() == 3
    assert [request.query.get("cursor") for request in api.requests] == [None, "10", "20"]


def test_pager_fetches_the_next_page_only_when_the_current_one_is_used_up(serve):
    api, client = serve(25)
    rows = iter(_page_number_pager(client))

    for _ in range(10):
        next(rows)
    assert api.count() == 1

    next(rows)
    assert api.count() == 2


def test_empty_collection_costs_one_call(serve):
    api, client = serve(0)
    pager = _offset_pager(client)

    assert list(pager) == []
    assert pager.calls == api.count() == 1


def test_a_repeated_cursor_raises_instead_of_looping_forever():
    pages = iter([{"data": [1], "next": "a"}, {"data": [2], "next": "b"}, {"data": [3], "next": "a"}])
    pager = CursorPager(lambda params: next(pages), next_cursor="next", items="data")

    with pytest.raises(errors.ServerError, match="cursor 'a' twice"):
        list(pager)
    assert pager.calls == 3


def test_a_payload_that_is_itself_the_list_needs_no_items_key():
    pages = iter([[1, 2], [3]])
    pager = PageNumberPager(lambda params: next(pages), page_size=2)

    assert list(pager) == [1, 2, 3]
