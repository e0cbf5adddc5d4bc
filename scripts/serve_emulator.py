#!/usr/bin/env python3
"""Serve a connector's platform emulator on 127.0.0.1, without Odoo.

    python3 scripts/serve_emulator.py connector_trello --port 8391 --demo

Each connector ships its emulator in ``<addon>/tests/emulator.py``; this runs its
``main()`` with the remaining arguments (``make run`` starts the demos this way).
"""

import importlib
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _namespace(name, path):
    module = types.ModuleType(name)
    module.__path__ = [str(path)] if path else []
    sys.modules[name] = module


def register_bare_addons(root=ROOT):
    """Register ``odoo.addons.<addon>`` and ``odoo.addons.<addon>.tests`` as bare namespaces.

    ``odoo.addons.connector_trello.tests.emulator`` then resolves to the file on disk
    without running the addon's ``__init__`` (its models) or its tests' ``__init__`` (the
    Odoo test cases), and any import of the real ``odoo`` (models, fields, http...) fails.
    """
    _namespace("odoo", None)
    _namespace("odoo.addons", None)
    for manifest in sorted(root.glob("connector_*/__manifest__.py")):
        addon = manifest.parent
        _namespace(f"odoo.addons.{addon.name}", addon)
        _namespace(f"odoo.addons.{addon.name}.tests", addon / "tests")


def main(argv):
    if not argv or argv[0].startswith("-"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    register_bare_addons()
    emulator = importlib.import_module(f"odoo.addons.{argv[0]}.tests.emulator")
    return emulator.main(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
