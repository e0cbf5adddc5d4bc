import random

import pytest

from odoo.addons.connector_base.lib.backoff import retry_delay


class FixedRandom:
    def __init__(self, value):
        self.value = value

    def random(self):
        return self.value


@pytest.mark.parametrize(("attempt", "expected"), [(1, 30), (2, 60), (3, 120), (4, 240)])
def test_delay_doubles_with_each_attempt(attempt, expected):
    assert retry_delay(attempt, base=30, rng=FixedRandom(0)) == expected


def test_delay_is_capped():
    assert retry_delay(20, base=30, cap=3600, rng=FixedRandom(0)) == 3600


def test_jitter_adds_at_most_its_share():
    assert retry_delay(1, base=100, jitter=0.25, rng=FixedRandom(1)) == 125
    delays = {retry_delay(2, base=30, rng=random.Random(seed)) for seed in range(20)}
    assert len(delays) > 1, "jitter spreads retries of jobs that failed together"
    assert all(60 <= delay <= 75 for delay in delays)


def test_retry_after_is_a_floor_not_a_cap():
    assert retry_delay(1, base=30, retry_after=600, rng=FixedRandom(0)) == 600
    assert retry_delay(3, base=30, retry_after=5, rng=FixedRandom(0)) == 120
