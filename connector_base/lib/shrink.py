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
    try:
        return list(fetch(query))
    except ServerError as error:
        if not too_big(error):
            raise
        parts = list(split(query) or ())
        if not parts:
            raise
    if on_split is not None:
        on_split(query, parts)
    results = []
    for part in parts:
        results.extend(shrinking(fetch, part, split, too_big=too_big, on_split=on_split))
    return results
