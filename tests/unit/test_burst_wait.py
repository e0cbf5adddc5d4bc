"""How long a run applying a burst gathers events, from what is left of the client's quotas."""

import pytest

from odoo.addons.connector_base.lib.http_client import HttpClient
from odoo.addons.connector_base.lib.rate_limit import SlidingWindow, TokenBucket, burst_wait


def test_available_tells_the_tokens_left_and_takes_none(tmp_path):
    bucket = TokenBucket("peek", 10, 3600, directory=str(tmp_path))
    for _call in range(4):
        bucket.acquire()

    assert bucket.available() == pytest.approx(6, abs=0.01)
    assert bucket.available() == pytest.approx(6, abs=0.01), "looking twice takes nothing"
    assert bucket.try_acquire() is None


def test_a_sliding_window_tells_the_room_left_and_books_none(tmp_path):
    window = SlidingWindow("peek-window", 3, 60, directory=str(tmp_path))
    window.acquire()

    assert window.available() == 2
    assert window.available() == 2


def test_a_whole_quota_never_waits_a_spent_one_waits_up_to_its_refill_interval(tmp_path):
    # Podio's shape: 1,000 calls an hour, refilled one every 3.6 s.
    bucket = TokenBucket("podio-like", 1000, 3600, directory=str(tmp_path))
    assert burst_wait(bucket) == 0

    for _call in range(500):
        bucket.acquire()
    assert burst_wait(bucket) == pytest.approx(1.8, abs=0.01), "half spent: half the interval"

    for _call in range(500):
        bucket.acquire()
    assert burst_wait(bucket) == pytest.approx(3.6, abs=0.01), "all spent: one refill interval"


class TwoQuotaClient(HttpClient):
    scoped_rate_limits = {"token": (100, 10), "key": (10, 100)}


def test_a_client_waits_by_its_most_spent_quota(tmp_path):
    holders = {"token": "t", "key": "k"}
    with TwoQuotaClient(
        "http://127.0.0.1:9", rate_limit_holders=holders, rate_limit_dir=str(tmp_path)
    ) as client:
        assert client.burst_wait() == 0
        for limiter in client.scoped_rate_limiters:
            for _call in range(5):
                limiter.acquire()

        # The key's quota is half spent (5 of 10, one every 10 s), the token's hardly.
        assert client.burst_wait() == pytest.approx(5.0, abs=0.05)


def test_a_client_without_quotas_never_waits():
    with HttpClient("http://127.0.0.1:9") as client:
        assert client.burst_wait() == 0
