"""The hook URL's secret segment, kept out of logs.

Podio signs nothing and may drop query strings, so each backend's hook URL ends with a
secret path segment. Odoo's HTTP server logs every request line: the controller masks that
segment in those lines with :func:`redact_hook_paths`.
"""

import re

HOOK_PATH = re.compile(r"(/connector/podio/hook/\d+/)[^/\s?\"']+")
MASK = "***"


def redact_hook_paths(text):
    """``text`` with the secret segment of every Podio hook path masked."""
    return HOOK_PATH.sub(lambda found: found.group(1) + MASK, text)
