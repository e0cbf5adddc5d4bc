"""Retry timing for queued jobs: exponential backoff with jitter."""

import random


def retry_delay(attempt, *, base=30.0, cap=3600.0, jitter=0.25, retry_after=None, rng=random):
    """Seconds to wait before attempt ``attempt + 1``.

    ``attempt`` counts the attempts already made (1 after the first failure).
    The delay doubles each time up to ``cap``; a random part of up to
    ``jitter`` of it spreads retries of many jobs that failed together.
    A ``retry_after`` sent by the platform is a floor: retrying earlier
    would only be refused again.
    """
    attempt = max(int(attempt), 1)
    delay = min(cap, base * (2 ** (attempt - 1)))
    delay += delay * jitter * rng.random()
    if retry_after is not None:
        delay = max(delay, float(retry_after))
    return delay
