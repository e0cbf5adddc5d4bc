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
from .http_client import PendingCall


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
    def __init__(self, fetch, *, items=None, read_ahead=False):
        self._fetch = fetch
        self._items = _extractor(items)
        self.read_ahead = read_ahead
        self.calls = 0

    def _request(self, params):
        self.calls += 1
        return self._fetch(params)

    def _page(self, fetched):
        payload = fetched.result() if isinstance(fetched, PendingCall) else fetched
        return Page(self._items(payload) or (), payload)

    def __iter__(self):
        for page in self.pages():
            yield from page

    def pages(self):
        """Yield each page (:class:`Page`), fetching the next one only when asked, or, reading
        ahead, as soon as the current one has come. The empty answer that may end a collection
        is no page of its own (an empty collection is one empty page)."""
        for number, page in enumerate(self._walk()):
            if page or number == 0:
                yield page

    def _walk(self):
        """Every answer, as a :class:`Page`, until the collection ends.

        Reading ahead (``read_ahead``; ``fetch`` sends its call in the background and
        returns the :class:`~.http_client.PendingCall`), the next page's request is sent
        before the current page is handed over, so its answer travels (and its JSON is
        decoded) while the caller writes the current one: an import waits for the platform
        only where it is slower than Odoo. A caller that stops early leaves one call unread."""
        params = self._first_params()
        fetched = self._request(params)
        while True:
            page = self._page(fetched)
            params = self._next_params(page, params)
            if params is not None and self.read_ahead:
                fetched = self._request(params)
            yield page
            if params is None:
                return
            if not self.read_ahead:
                fetched = self._request(params)

    def _first_params(self):
        raise NotImplementedError

    def _next_params(self, page, params):
        """The parameters of the page after ``page`` (fetched with ``params``), None at the end."""
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
        read_ahead=False,
    ):
        super().__init__(fetch, items=items, read_ahead=read_ahead)
        self.page_size = page_size
        self.page_param = page_param
        self.size_param = size_param
        self.first_page = first_page
        self._total_pages = _extractor(total_pages) if total_pages is not None else None

    def _first_params(self):
        return {self.page_param: self.first_page, self.size_param: self.page_size}

    def _next_params(self, page, params):
        number = params[self.page_param]
        pages_seen = number - self.first_page + 1
        if len(page) < self.page_size or (
            self._total_pages is not None and pages_seen >= int(self._total_pages(page.payload) or 0)
        ):
            return None
        return {**params, self.page_param: number + 1}


class OffsetPager(_Pager):
    """``?offset=200&limit=100`` style; ``total`` (key or callable) avoids the final empty call."""

    def __init__(
        self,
        fetch,
        *,
        limit,
        items=None,
        offset_param="offset",
        limit_param="limit",
        total=None,
        read_ahead=False,
    ):
        super().__init__(fetch, items=items, read_ahead=read_ahead)
        self.limit = limit
        self.offset_param = offset_param
        self.limit_param = limit_param
        self._total = _extractor(total) if total is not None else None

    def _first_params(self):
        return {self.offset_param: 0, self.limit_param: self.limit}

    def _next_params(self, page, params):
        offset = params[self.offset_param] + len(page)
        if len(page) < self.limit or (
            self._total is not None and offset >= int(self._total(page.payload) or 0)
        ):
            return None
        return {**params, self.offset_param: offset}


class CursorPager(_Pager):
    """Follows ``next_cursor(payload)`` (key or callable) until it is empty.

    The first request carries no cursor. A cursor that repeats would loop
    forever, so it raises a retryable :class:`ServerError` instead.
    """

    def __init__(self, fetch, *, next_cursor, items=None, cursor_param="cursor", read_ahead=False):
        super().__init__(fetch, items=items, read_ahead=read_ahead)
        self._next_cursor = _extractor(next_cursor)
        self.cursor_param = cursor_param
        self._seen = set()

    def _first_params(self):
        self._seen = set()
        return {}

    def _next_params(self, page, params):
        cursor = self._next_cursor(page.payload)
        if not cursor:
            return None
        if cursor in self._seen:
            raise ServerError(
                f"Pagination returned cursor {cursor!r} twice; stopping to avoid an endless loop"
            )
        self._seen.add(cursor)
        return {self.cursor_param: cursor}
