"""Asking again in smaller parts when the platform times out on a request too big for it.

Some platforms answer a gateway timeout (504) when one query covers too much (Sprout
Social: too many profiles, too long a period) and advise narrowing it. Sending the same
query again would time out again; :func:`shrinking` sends its parts instead.
"""

from .errors import ServerError

GATEWAY_TIMEOUT = 504


def is_gateway_timeout(error):
    """The platform gave up on the query (504): a smaller one may pass."""
    return isinstance(error, ServerError) and error.status == GATEWAY_TIMEOUT


def shrinking(fetch, query, split, *, too_big=is_gateway_timeout, on_split=None):
    """Every result of ``fetch(query)`` (an iterable, read to its end), in order.

    When reading it raises an error ``too_big`` recognises, ``split(query)`` gives the
    smaller queries covering the same ground (fewer profiles, a shorter period), each read
    the same way and their results joined in their order; a query ``split`` cannot make
    smaller (it returns nothing) raises the error. ``on_split(query, parts)`` is told of
    each split (to count or log them). A query that fails half-way is read again whole in
    its parts: what ``fetch`` returns must be safe to read twice (queries, not writes).
    """
    return list(_shrinking(lambda part: list(fetch(part)), query, split, too_big, on_split))


def shrinking_as_read(fetch, query, split, *, too_big=is_gateway_timeout, on_split=None):
    """:func:`shrinking`, each result handed over as soon as it is read (a page written
    while the next one travels). A query that fails half-way has handed over its first
    results already, and its parts hand them over again: the caller must take a result
    twice (Sprout's poll leaves out the messages it stored unchanged)."""
    return _shrinking(fetch, query, split, too_big, on_split)


def _shrinking(fetch, query, split, too_big, on_split):
    try:
        yield from fetch(query)
        return
    except ServerError as error:
        if not too_big(error):
            raise
        parts = list(split(query) or ())
        if not parts:
            raise
    if on_split is not None:
        on_split(query, parts)
    for part in parts:
        yield from _shrinking(fetch, part, split, too_big, on_split)
