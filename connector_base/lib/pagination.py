"""Stream the items of a paginated API one page at a time.

Each pager is an iterable: it fetches the next page only when the previous
one is used up, so a sync of a huge board or sheet never holds it all in
memory, and it stops without the extra empty request whenever the page
itself says it was the last. ``calls`` counts the requests made, for tests
and benchmarks.

Iterating a pager gives the items; ``pages()`` gives the same requests as pages
(:class:`Page`: a list of the page's items, the whole payload in ``payload``),
for callers that work a page at a time (a batch per page) or read what a page
carries beside its items (a sheet's columns and version). A connector never
writes its own page loop: it builds the pager that fits its platform.

``fetch(params)`` performs one request and returns the parsed payload; it is
a callable rather than a path so the page parameters can go in the query
string or in a POST body (Podio filters)::

    pager = OffsetPager(lambda page: client.post(url, json={**filters, **page}), limit=500, items="items")
"""

from .errors import ServerError


def _extractor(spec):
    """``None``: the payload is the list; a string: a key of the payload; else a callable."""
    if spec is None:
        return lambda payload: payload
    if isinstance(spec, str):
        return lambda payload: payload.get(spec)
    return spec


class Page(list):
    """The items of one page; ``payload`` is the page as the platform answered it."""

    def __init__(self, items, payload):
        super().__init__(items)
        self.payload = payload


class _Pager:
    def __init__(self, fetch, *, items=None):
        self._fetch = fetch
        self._items = _extractor(items)
        self.calls = 0

    def _page(self, params):
        self.calls += 1
        payload = self._fetch(params)
        return Page(self._items(payload) or (), payload)

    def __iter__(self):
        for page in self.pages():
            yield from page

    def pages(self):
        """Yield each page (:class:`Page`), fetching the next one only when asked. The empty
        answer that may end a collection is no page of its own (an empty collection is one
        empty page)."""
        for number, page in enumerate(self._walk()):
            if page or number == 0:
                yield page

    def _walk(self):
        """Every answer, as a :class:`Page`, until the collection ends."""
        raise NotImplementedError


class PageNumberPager(_Pager):
    """``?page=1&pageSize=100`` style; ``total_pages`` (key or callable) avoids the final empty call."""

    def __init__(
        self,
        fetch,
        *,
        page_size,
        items=None,
        page_param="page",
        size_param="pageSize",
        first_page=1,
        total_pages=None,
    ):
        super().__init__(fetch, items=items)
        self.page_size = page_size
        self.page_param = page_param
        self.size_param = size_param
        self.first_page = first_page
        self._total_pages = _extractor(total_pages) if total_pages is not None else None

    def _walk(self):
        number = self.first_page
        while True:
            page = self._page({self.page_param: number, self.size_param: self.page_size})
            yield page
            pages_seen = number - self.first_page + 1
            if len(page) < self.page_size or (
                self._total_pages is not None and pages_seen >= int(self._total_pages(page.payload) or 0)
            ):
                return
            number += 1


class OffsetPager(_Pager):
    """``?offset=200&limit=100`` style; ``total`` (key or callable) avoids the final empty call."""

    def __init__(self, fetch, *, limit, items=None, offset_param="offset", limit_param="limit", total=None):
        super().__init__(fetch, items=items)
        self.limit = limit
        self.offset_param = offset_param
        self.limit_param = limit_param
        self._total = _extractor(total) if total is not None else None

    def _walk(self):
        offset = 0
        while True:
            page = self._page({self.offset_param: offset, self.limit_param: self.limit})
            yield page
            offset += len(page)
            if len(page) < self.limit or (
                self._total is not None and offset >= int(self._total(page.payload) or 0)
            ):
                return


class CursorPager(_Pager):
    """Follows ``next_cursor(payload)`` (key or callable) until it is empty.

    The first request carries no cursor. A cursor that repeats would loop
    forever, so it raises a retryable :class:`ServerError` instead.
    """

    def __init__(self, fetch, *, next_cursor, items=None, cursor_param="cursor"):
        super().__init__(fetch, items=items)
        self._next_cursor = _extractor(next_cursor)
        self.cursor_param = cursor_param

    def _walk(self):
        cursor = None
        seen = set()
        while True:
            page = self._page({} if cursor is None else {self.cursor_param: cursor})
            yield page
            cursor = self._next_cursor(page.payload)
            if not cursor:
                return
            if cursor in seen:
                raise ServerError(
                    f"Pagination returned cursor {cursor!r} twice; stopping to avoid an endless loop"
                )
            seen.add(cursor)
