"""Remove secrets from text before it is logged or stored."""

import re

MASK = "***"

# Parameter or header names whose values are secrets wherever they appear.
SECRET_NAMES = (
    "access_token",
    "oauth_token",
    "oauth_consumer_key",
    "refresh_token",
    "client_secret",
    "api_key",
    "apikey",
    "app_secret",
    "password",
    "secret",
    "token",
    "key",
)

_NAMES = "|".join(sorted(SECRET_NAMES, key=len, reverse=True))
# key=value in query strings and form bodies, "key": "value" in JSON-ish text.
_ASSIGNMENT = re.compile(
    rf"(?P<name>\b(?:{_NAMES})\b)(?P<sep>[\"']?\s*[:=]\s*[\"']?)(?P<value>[^\s&\"',;}}]+)",
    re.IGNORECASE,
)
_AUTH_HEADER = re.compile(
    r"(?P<name>\bAuthorization\b[\"']?\s*[:=]\s*[\"']?)(?P<scheme>(?:Bearer|Basic|OAuth|Token)\s+)?"
    # To the end of the line: OAuth header values hold quotes of their own.
    r"(?P<value>[^\r\n]+)",
    re.IGNORECASE,
)


def is_secret_name(name):
    """True when a payload or parameter key names a secret."""
    lowered = str(name).lower()
    return any(
        part in lowered for part in ("token", "secret", "password", "authorization", "api_key", "apikey")
    )


def redact(text, secrets=()):
    """Return ``text`` with known secret values and secret-looking parameters masked."""
    if not text:
        return text
    text = str(text)
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _AUTH_HEADER.sub(lambda m: m.group("name") + (m.group("scheme") or "") + MASK, text)
    return _ASSIGNMENT.sub(lambda m: m.group("name") + m.group("sep") + MASK, text)
