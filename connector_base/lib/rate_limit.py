"""Client-side token buckets that keep a connector under a platform's request quota.

A platform counts requests per credential, whichever Odoo worker sends them,
so the bucket state lives in a small file locked with ``fcntl.flock``: every
thread and every process on the machine draws from the same budget. A
module registry hands one bucket object per name to all threads of a process.
"""

import fcntl
import hashlib
import os
import tempfile
import threading
import time

from .errors import RateLimitedError

DEFAULT_DIRECTORY = os.path.join(tempfile.gettempdir(), "odoo-connector-ratelimit")

# Two float reprs fit in well under this; the padding is spaces, which parsing ignores.
_RECORD_WIDTH = 64

_registry = {}
_registry_lock = threading.Lock()


class TokenBucket:
    """``capacity`` requests per ``period`` seconds, refilled continuously.

    :meth:`acquire` reserves a slot and sleeps until it is due, but never longer
    than ``max_wait``: past that it raises :class:`RateLimitedError` with
    ``retry_after`` so the job is rescheduled instead of blocking a worker.
    """

    def __init__(self, name, capacity, period, *, directory=None, max_wait=5.0):
        if capacity < 1 or period <= 0:
            raise ValueError("a token bucket needs capacity >= 1 and period > 0")
        self.name = name
        self.capacity = capacity
        self.period = period
        self.max_wait = max_wait
        self.directory = directory or DEFAULT_DIRECTORY
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        # Hashed so any name (even one derived from a credential) is a safe, opaque file name.
        self.path = os.path.join(self.directory, hashlib.sha256(name.encode()).hexdigest()[:32] + ".bucket")

    @property
    def rate(self):
        return self.capacity / self.period

    def acquire(self):
        wait = self._reserve(self.max_wait)
        if wait:
            time.sleep(wait)

    def available(self):
        """The tokens there now (negative while callers wait for booked ones), taking none."""
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_SH)
            now = time.time()
            tokens, stamp = self._parse(os.pread(descriptor, _RECORD_WIDTH, 0), now)
        finally:
            os.close(descriptor)
        return min(self.capacity, tokens + max(0.0, now - stamp) * self.rate)

    def try_acquire(self):
        """Take a token if one is there now and return None, else return the seconds until
        one is, taking nothing: for callers that answer "later" instead of waiting."""
        try:
            self._reserve(0.0)
        except RateLimitedError as limited:
            return limited.retry_after
        return None

    def _reserve(self, max_wait):
        """Take a token (the balance may go negative) and return how long to wait for it."""
        # A fresh descriptor per call: flock excludes other descriptors, threads and forks alike.
        # Raw pread/pwrite: webhook intake takes a token per delivery, file objects cost more.
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            now = time.time()
            tokens, stamp = self._parse(os.pread(descriptor, _RECORD_WIDTH, 0), now)
            # max(): a wall clock set back must not drain the bucket.
            tokens = min(self.capacity, tokens + max(0.0, now - stamp) * self.rate)
            wait = max(0.0, (1 - tokens) / self.rate)
            if wait > max_wait:
                raise RateLimitedError(
                    f"Client-side rate limit of {self.capacity} requests per {self.period:g} s reached; "
                    f"next slot in {wait:.1f} s",
                    retry_after=wait,
                )
            # Fixed width, overwritten in place: a truncate costs several times the rest.
            os.pwrite(descriptor, f"{tokens - 1!r} {now!r}".ljust(_RECORD_WIDTH).encode(), 0)
        finally:
            os.close(descriptor)  # releases the lock
        return wait

    def _parse(self, record, now):
        try:
            tokens, stamp = (float(part) for part in record.split())
        except ValueError:
            # New (empty) or damaged file: start with a full bucket.
            return float(self.capacity), now
        return tokens, stamp


class SlidingWindow(TokenBucket):
    """At most ``capacity`` requests in any ``period`` seconds, counted exactly.

    A token bucket that never lets more than N through in a window must refill at N per
    window from almost empty, so it spaces every call (60 a minute: one a second). This
    keeps the moments of the last ``capacity`` requests instead: a call goes at once while
    the window holds fewer, and otherwise waits until the oldest leaves it. For platforms
    that count per window (Sprout Social: 60 a minute) and calls that come in bursts.
    """

    def __init__(self, name, capacity, period, *, directory=None, max_wait=5.0):
        super().__init__(name, capacity, period, directory=directory, max_wait=max_wait)
        self.path = self.path.removesuffix(".bucket") + ".window"
        # One float repr per kept moment, space-separated: fixed width, overwritten in place.
        self._width = capacity * 24

    def _reserve(self, max_wait):
        """Book the first moment the window has room for and return how long to wait for it."""
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            now = time.time()
            # Booked moments still in the window, or ahead of now (callers waiting for them).
            moments = sorted(
                moment
                for moment in self._moments(os.pread(descriptor, self._width, 0))
                if moment > now - self.period
            )[-self.capacity :]
            slot = now if len(moments) < self.capacity else max(now, moments[0] + self.period)
            wait = slot - now
            if wait > max_wait:
                raise RateLimitedError(
                    f"Client-side rate limit of {self.capacity} requests per {self.period:g} s reached; "
                    f"next slot in {wait:.1f} s",
                    retry_after=wait,
                )
            kept = [*moments, slot][-self.capacity :]
            os.pwrite(descriptor, " ".join(repr(moment) for moment in kept).ljust(self._width).encode(), 0)
        finally:
            os.close(descriptor)  # releases the lock
        return wait

    def available(self):
        """The requests the window has room for now, booking none."""
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_SH)
            now = time.time()
            moments = self._moments(os.pread(descriptor, self._width, 0))
        finally:
            os.close(descriptor)
        return self.capacity - sum(moment > now - self.period for moment in moments)

    @staticmethod
    def _moments(record):
        try:
            return [float(part) for part in record.split()]
        except ValueError:
            return []  # new or damaged file: an empty window


def burst_wait(limiter):
    """Seconds a run applying a burst of events waits for more of them before reading the
    platform, so that one read serves many: none while ``limiter``'s quota is whole, growing
    with the share of it spent up to its refill interval (``period / capacity``) once it is
    all spent. The faster a burst spends the quota, the longer each run gathers, so a burst
    of any length slows down towards the quota's own pace instead of running into it."""
    spent = min(max(1 - limiter.available() / limiter.capacity, 0.0), 1.0)
    return spent * limiter.period / limiter.capacity


def get_bucket(name, capacity, period, *, directory=None, max_wait=5.0, kind=TokenBucket):
    """The process-wide limiter called ``name`` (a :class:`TokenBucket`, or the ``kind``
    given), rebuilt when its limits change."""
    settings = (kind, capacity, period, directory or DEFAULT_DIRECTORY, max_wait)
    with _registry_lock:
        bucket = _registry.get(name)
        if (
            bucket is None
            or (
                type(bucket),
                bucket.capacity,
                bucket.period,
                bucket.directory,
                bucket.max_wait,
            )
            != settings
        ):
            bucket = _registry[name] = kind(name, capacity, period, directory=directory, max_wait=max_wait)
        return bucket
