import pytest

from odoo.addons.connector_base.lib.errors import ServerError
from odoo.addons.connector_base.lib.shrink import shrinking, shrinking_as_read


def halves(query):
    return [query[: len(query) // 2], query[len(query) // 2 :]] if len(query) > 1 else []


def timing_out_above(size, calls):
    def fetch(query):
        calls.append(list(query))
        if len(query) > size:
            raise ServerError("Gateway timeout", status=504)
        return [item * 10 for item in query]

    return fetch


def test_a_query_that_passes_is_read_once():
    calls = []
    assert shrinking(timing_out_above(10, calls), [1, 2, 3], halves) == [10, 20, 30]
    assert calls == [[1, 2, 3]]


def test_a_timed_out_query_is_read_in_smaller_parts_in_order():
    calls, splits = [], []
    results = shrinking(
        timing_out_above(2, calls), [1, 2, 3, 4, 5, 6, 7], halves, on_split=lambda q, p: splits.append(q)
    )
    assert results == [10, 20, 30, 40, 50, 60, 70]
    assert calls[0] == [1, 2, 3, 4, 5, 6, 7]
    assert splits == [[1, 2, 3, 4, 5, 6, 7], [1, 2, 3], [4, 5, 6, 7]]
    assert [call for call in calls if call not in splits] == [[1], [2, 3], [4, 5], [6, 7]]


def test_a_query_that_cannot_be_smaller_raises_the_timeout():
    with pytest.raises(ServerError) as raised:
        shrinking(timing_out_above(0, []), [1, 2], halves)
    assert raised.value.status == 504


def test_other_server_errors_are_not_split():
    calls = []

    def fetch(query):
        calls.append(query)
        raise ServerError("Unavailable", status=503)

    with pytest.raises(ServerError):
        shrinking(fetch, [1, 2, 3, 4], halves)
    assert calls == [[1, 2, 3, 4]]


def test_a_query_failing_half_way_is_read_again_in_parts():
    calls = []

    def fetch(query):
        calls.append(query)
        yield query[0]
        if len(query) > 1:
            raise ServerError("Gateway timeout", status=504)

    assert shrinking(fetch, [1, 2, 3], halves) == [1, 2, 3]


def test_read_as_it_comes_a_query_failing_half_way_hands_its_first_results_over_twice():
    calls, taken = [], []

    def fetch(query):
        calls.append(query)
        yield query[0]
        if len(query) > 1:
            raise ServerError("Gateway timeout", status=504)

    results = shrinking_as_read(fetch, [1, 2, 3], halves)
    taken.append(next(results))
    assert calls == [[1, 2, 3]], "the first result comes before the query is read to its end"
    taken.extend(results)
    assert taken == [1, 1, 2, 2, 3], "each part failing half-way hands its first result over again"
    assert calls == [[1, 2, 3], [1], [2, 3], [2], [3]]


def test_read_as_it_comes_other_errors_are_raised_as_they_are():
    def fetch(query):
        raise ServerError("Unavailable", status=503)
        yield  # a generator, as a pager is

    with pytest.raises(ServerError) as raised:
        list(shrinking_as_read(fetch, [1, 2], halves))
    assert raised.value.status == 503
