import multiprocessing
import os
import threading
import time

import pytest

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.rate_limit import SlidingWindow, TokenBucket, get_bucket


def _acquire_times(bucket, count):
    stamps = []
    for _ in range(count):
        bucket.acquire()
        stamps.append(time.monotonic())
    return stamps


def test_a_burst_up_to_capacity_is_not_delayed(tmp_path):
    bucket = TokenBucket("burst", 5, 1, directory=str(tmp_path))

    started = time.monotonic()
    _acquire_times(bucket, 5)

    assert time.monotonic() - started < 0.1


def test_ten_requests_with_a_five_per_second_bucket_take_about_one_second(tmp_path):
    bucket = TokenBucket("steady", 5, 1, directory=str(tmp_path))

    started = time.monotonic()
    stamps = _acquire_times(bucket, 10)

    assert stamps[-1] - started >= 0.95
    # The sixth request only waits for one refill, not a whole period.
    assert 0.19 <= stamps[5] - started < 0.5


def test_a_wait_longer_than_max_wait_raises_rate_limited_with_retry_after(tmp_path):
    bucket = TokenBucket("slow", 1, 10, directory=str(tmp_path), max_wait=0.1)
    bucket.acquire()

    started = time.monotonic()
    with pytest.raises(errors.RateLimitedError) as raised:
        bucket.acquire()

    assert time.monotonic() - started < 0.1
    assert 9.5 <= raised.value.retry_after <= 10
    assert raised.value.retryable


def test_a_refused_acquire_does_not_spend_a_token(tmp_path):
    bucket = TokenBucket("refused", 2, 0.4, directory=str(tmp_path), max_wait=0.05)
    _acquire_times(bucket, 2)
    with pytest.raises(errors.RateLimitedError):
        bucket.acquire()

    time.sleep(0.2)

    bucket.acquire()


def test_try_acquire_takes_while_tokens_are_left_then_says_when_without_taking(tmp_path):
    bucket = TokenBucket("try", 2, 20, directory=str(tmp_path))

    taken = [bucket.try_acquire(), bucket.try_acquire()]
    started = time.monotonic()
    refused = [bucket.try_acquire() for _ in range(3)]

    assert taken == [None, None]
    assert time.monotonic() - started < 0.1
    # Refusals take nothing: each still waits one refill (10 s), not more.
    assert all(9 <= wait <= 10 for wait in refused)


def test_threads_of_one_process_share_one_budget(tmp_path):
    buckets = [get_bucket("shared-threads", 4, 0.5, directory=str(tmp_path)) for _ in range(4)]
    assert all(bucket is buckets[0] for bucket in buckets)
    stamps = []
    threads = [
        threading.Thread(target=lambda b=bucket: stamps.extend(_acquire_times(b, 2))) for bucket in buckets
    ]

    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # 8 requests against 4 per 0.5 s: the last four wait for refills.
    assert max(stamps) - started >= 0.45


def _acquire_in_child(directory, results):
    bucket = get_bucket("shared-processes", 5, 1, directory=directory)
    results.put(_acquire_times(bucket, 5))


def test_two_processes_share_the_budget(tmp_path):
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    children = [context.Process(target=_acquire_in_child, args=(str(tmp_path), results)) for _ in range(2)]

    started = time.monotonic()
    for child in children:
        child.start()
    stamps = [stamp for _ in children for stamp in results.get(timeout=10)]
    for child in children:
        child.join(timeout=10)

    # Alone, each child's 5 requests fit in the burst; together the second five wait ~1 s.
    assert max(stamps) - started >= 0.9
    assert [child.exitcode for child in children] == [0, 0]


def test_registry_rebuilds_a_bucket_whose_limits_changed(tmp_path):
    first = get_bucket("reconfigured", 5, 1, directory=str(tmp_path))

    assert get_bucket("reconfigured", 5, 1, directory=str(tmp_path)) is first
    changed = get_bucket("reconfigured", 10, 1, directory=str(tmp_path))
    assert changed is not first
    assert changed.capacity == 10


def test_bucket_file_name_does_not_reveal_the_bucket_name(tmp_path):
    TokenBucket("trello:tok-secret-value", 5, 1, directory=str(tmp_path)).acquire()

    (name,) = os.listdir(tmp_path)
    assert "tok-secret-value" not in name
    assert name.endswith(".bucket")


def test_a_damaged_bucket_file_starts_over_with_a_full_bucket(tmp_path):
    bucket = TokenBucket("damaged", 3, 10, directory=str(tmp_path), max_wait=0)
    with open(bucket.path, "w") as handle:
        handle.write("garbage")

    _acquire_times(bucket, 3)
    with pytest.raises(errors.RateLimitedError):
        bucket.acquire()


@pytest.mark.parametrize(("capacity", "period"), [(0, 1), (5, 0)])
def test_bucket_rejects_limits_that_allow_nothing(tmp_path, capacity, period):
    with pytest.raises(ValueError):
        TokenBucket("invalid", capacity, period, directory=str(tmp_path))


def test_a_sliding_window_lets_a_full_window_through_at_once_then_waits_for_the_oldest(tmp_path):
    window = SlidingWindow("window", 5, 1, directory=str(tmp_path))

    started = time.monotonic()
    stamps = _acquire_times(window, 6)

    assert stamps[4] - started < 0.1, "five in a window of five: no wait"
    assert 0.9 <= stamps[5] - started < 1.3, "the sixth waits until the first leaves the window"


def _window_moments_in_child(directory, count, results):
    window = get_bucket("window-processes", 5, 0.5, directory=directory, kind=SlidingWindow)
    moments = []
    for _ in range(count):
        window.acquire()
        moments.append(time.time())
    results.put(moments)


def test_a_sliding_window_never_lets_more_than_its_capacity_through_in_any_period_across_processes(tmp_path):
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    children = [
        context.Process(target=_window_moments_in_child, args=(str(tmp_path), 8, results)) for _ in range(2)
    ]
    for child in children:
        child.start()
    moments = sorted(moment for _ in children for moment in results.get(timeout=20))
    for child in children:
        child.join(timeout=10)

    assert [child.exitcode for child in children] == [0, 0]
    assert len(moments) == 16
    # Any six consecutive requests span at least a period: never six in one window of 0.5 s.
    assert min(later - earlier for earlier, later in zip(moments, moments[5:], strict=False)) >= 0.5 - 0.01
    assert moments[4] - moments[0] < 0.2, "the first five went at once"


def test_a_sliding_window_refusal_books_nothing(tmp_path):
    window = SlidingWindow("window-refused", 2, 10, directory=str(tmp_path), max_wait=0)
    assert [window.try_acquire(), window.try_acquire()] == [None, None]

    refused = [window.try_acquire() for _ in range(3)]

    assert all(9 <= wait <= 10 for wait in refused), "each refusal still waits for the oldest, not later"
    with pytest.raises(errors.RateLimitedError):
        window.acquire()


def test_a_damaged_window_file_starts_over_with_an_empty_window(tmp_path):
    window = SlidingWindow("window-damaged", 3, 10, directory=str(tmp_path), max_wait=0)
    with open(window.path, "w") as handle:
        handle.write("garbage")

    _acquire_times(window, 3)
    with pytest.raises(errors.RateLimitedError):
        window.acquire()
    (name,) = os.listdir(tmp_path)
    assert name.endswith(".window") and "damaged" not in name
