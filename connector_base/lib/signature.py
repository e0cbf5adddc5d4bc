"""HMAC signatures of webhook deliveries, checked in constant time.

Platforms sign a delivery with a shared secret in one of a few ways: hex
HMAC-SHA256 of the raw body (Smartsheet), base64 HMAC-SHA1 of the raw body
followed by the callback URL (Trello). :class:`SignatureScheme` describes one
such way; the platform addon declares its scheme and the webhook intake calls
:meth:`SignatureScheme.verify`.
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass

ALGORITHMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}
ENCODINGS = ("hex", "base64")


def _as_bytes(value):
    return value.encode() if isinstance(value, str) else bytes(value)


def hmac_digest(secret, message, algorithm="sha256"):
    """Raw HMAC of ``message`` (str or bytes; str is UTF-8 encoded) with ``secret``."""
    try:
        digestmod = ALGORITHMS[algorithm]
    except KeyError:
        raise ValueError(f"unsupported HMAC algorithm {algorithm!r}") from None
    return hmac.new(_as_bytes(secret), _as_bytes(message), digestmod).digest()


def hmac_hex(secret, message, algorithm="sha256"):
    return hmac_digest(secret, message, algorithm).hex()


def hmac_base64(secret, message, algorithm="sha256"):
    """Standard base64, with padding."""
    return base64.b64encode(hmac_digest(secret, message, algorithm)).decode()


def body_and_url(body, url):
    """What "body + callback URL" schemes sign: the raw body bytes, then the URL in UTF-8."""
    return _as_bytes(body) + _as_bytes(url)


def constant_time_equal(expected, received):
    """True when both values are equal; never short-circuits on the first differing byte.

    A missing (None or empty) value never matches.
    """
    if not expected or not received:
        return False
    return hmac.compare_digest(_as_bytes(expected), _as_bytes(received))


@dataclass(frozen=True)
class SignatureScheme:
    """How one platform signs its webhook deliveries.

    ``header`` carries the signature; ``include_url`` appends the callback URL
    (exactly as registered with the platform) to the body before signing.
    """

    header: str
    algorithm: str = "sha256"
    encoding: str = "hex"
    include_url: bool = False

    def __post_init__(self):
        if self.algorithm not in ALGORITHMS:
            raise ValueError(f"unsupported HMAC algorithm {self.algorithm!r}")
        if self.encoding not in ENCODINGS:
            raise ValueError(f"signature encoding must be one of {ENCODINGS}, not {self.encoding!r}")

    def _message(self, body, url):
        if not self.include_url:
            return _as_bytes(body)
        if not url:
            raise ValueError("this signature scheme signs the callback URL: pass url")
        return body_and_url(body, url)

    def sign(self, secret, body, url=None):
        """The header value the platform sends for ``body`` (what a test or an emulator needs)."""
        message = self._message(body, url)
        if self.encoding == "hex":
            return hmac_hex(secret, message, self.algorithm)
        return hmac_base64(secret, message, self.algorithm)

    def verify(self, secret, body, received, url=None):
        """True when ``received`` (the header value, None if absent) signs ``body`` with ``secret``."""
        if not secret or not received:
            return False
        expected = self.sign(secret, body, url)
        received = received.strip()
        if self.encoding == "hex":
            # Platforms do not document the letter case of hex digests.
            received = received.lower()
        return constant_time_equal(expected, received)
