"""Make each addon's ORM-free ``lib`` importable without Odoo.

The addons are registered as bare namespace packages under ``odoo.addons``,
so ``from odoo.addons.connector_base.lib import errors`` resolves to the
file on disk while any import of the real ``odoo`` (models, fields, http...)
fails. A ``lib`` module that sneaks in an ORM import breaks these tests.
"""

import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _namespace(name, path):
    module = types.ModuleType(name)
    module.__path__ = [str(path)] if path else []
    sys.modules[name] = module
    return module


def _install_addon_namespaces():
    real = sys.modules.get("odoo")
    if real is not None and hasattr(real, "models"):
        raise RuntimeError("tests/unit must run without Odoo loaded (use -p no:odoo)")
    _namespace("odoo", None)
    _namespace("odoo.addons", None)
    for manifest in sorted(ROOT.glob("connector_*/__manifest__.py")):
        addon = manifest.parent
        _namespace(f"odoo.addons.{addon.name}", addon)


_install_addon_namespaces()
# Emulators live in tests/emulators and are imported as ``emulators``.
sys.path.insert(0, str(ROOT / "tests"))
