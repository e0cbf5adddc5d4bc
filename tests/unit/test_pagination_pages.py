"""The pagers give pages as well as items: the same requests, a page at a time."""

import pytest

from odoo.addons.connector_base.lib.pagination import CursorPager, OffsetPager, Page, PageNumberPager

ROWS = [{"id": number} for number in range(25)]


class Platform:
    """Answers page-number, offset and cursor requests over ``ROWS``, recording each one."""

    def __init__(self):
        self.requests = []

    def by_page_number(self, params):
        self.requests.append(params)
        page, size = params["page"], params["pageSize"]
        return {
            "version": 7,
            "totalRowCount": len(ROWS),
            "rows": ROWS[(page - 1) * size : page * size],
        }

    def by_offset(self, params):
        self.requests.append(params)
        return {"total": len(ROWS), "items": ROWS[params["offset"] : params["offset"] + params["limit"]]}

    def by_cursor(self, params):
        self.requests.append(params)
        start = int(params.get("cursor", 0))
        return {"data": ROWS[start : start + 10], "next": str(start + 10) if start + 10 < len(ROWS) else None}


@pytest.fixture
def platform():
    return Platform()


@pytest.mark.parametrize(
    "make_pager",
    [
        lambda api: PageNumberPager(api.by_page_number, page_size=10, items="rows"),
        lambda api: OffsetPager(api.by_offset, limit=10, items="items"),
        lambda api: CursorPager(api.by_cursor, next_cursor="next", items="data"),
    ],
    ids=["page number", "offset", "cursor"],
)
def test_pages_hold_the_items_of_each_request_in_order(platform, make_pager):
    pager = make_pager(platform)

    pages = list(pager.pages())

    assert [[row["id"] for row in page] for page in pages] == [
        list(range(0, 10)),
        list(range(10, 20)),
        list(range(20, 25)),
    ]
    assert all(isinstance(page, Page) for page in pages)
    assert pager.calls == len(platform.requests) == 3


def test_a_page_carries_what_the_platform_sent_beside_its_items(platform):
    pager = PageNumberPager(platform.by_page_number, page_size=10, items="rows")

    first = next(iter(pager.pages()))

    assert first.payload["version"] == 7
    assert first.payload["totalRowCount"] == 25
    assert first == ROWS[:10]


def test_pages_are_fetched_only_when_the_previous_one_is_taken(platform):
    pages = OffsetPager(platform.by_offset, limit=10, items="items").pages()

    next(pages)
    assert len(platform.requests) == 1
    next(pages)
    assert [request["offset"] for request in platform.requests] == [0, 10]


def test_a_total_read_from_the_page_spares_the_empty_last_request():
    rows = ROWS[:20]
    requests = []

    def fetch(params):
        requests.append(params)
        start = (params["page"] - 1) * params["pageSize"]
        return {"totalRowCount": len(rows), "rows": rows[start : start + params["pageSize"]]}

    pager = PageNumberPager(
        fetch, page_size=10, items="rows", total_pages=lambda payload: -(-payload["totalRowCount"] // 10)
    )

    assert [len(page) for page in pager.pages()] == [10, 10]
    assert [request["page"] for request in requests] == [1, 2]


def test_an_empty_collection_is_one_empty_page(platform):
    pager = CursorPager(lambda params: {"data": [], "next": None}, next_cursor="next", items="data")

    assert list(pager.pages()) == [[]]
    assert list(pager) == []
    assert pager.calls == 2


def test_the_empty_answer_after_a_full_last_page_is_no_page():
    pager = OffsetPager(
        lambda params: {"items": ROWS[params["offset"] : params["offset"] + 5]}, limit=5, items="items"
    )

    assert [len(page) for page in pager.pages()] == [5] * 5
    assert pager.calls == 6
