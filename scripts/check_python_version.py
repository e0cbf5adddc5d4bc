#!/usr/bin/env python3
"""Fail on code that needs a newer Python than pyproject.toml declares (pre-commit hook).

The lowest version comes from ``requires-python`` (">=3.10"); vermin reads each file's
syntax, imports and library members (``datetime.UTC`` is 3.11) and names the newer ones.
"""

import re
import subprocess
import sys
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def declared_minimum():
    """ "3.10" from ``requires-python = ">=3.10"`` (tomllib is 3.11+, so read it plainly)."""
    found = re.search(r'^requires-python\s*=\s*">=\s*(\d+\.\d+)', PYPROJECT.read_text(), re.MULTILINE)
    if not found:
        sys.exit(f'{PYPROJECT}: no requires-python = ">=X.Y" to check against')
    return found.group(1)


def main(paths):
    if not paths:
        return 0
    command = [
        "vermin",
        "--no-config-file",
        "--no-tips",
        "--violations",
        "--eval-annotations",
        f"--target={declared_minimum()}-",
        *paths,
    ]
    return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
