"""Make each addon's ORM-free ``lib`` importable without Odoo.

The addons are registered as bare namespace packages under ``odoo.addons``,
so ``from odoo.addons.connector_base.lib import errors`` resolves to the
file on disk while any import of the real ``odoo`` (models, fields, http...)
fails. A ``lib`` module that sneaks in an ORM import breaks these tests. Each
addon's ``tests`` folder is a bare namespace too, so the emulators it ships
(``odoo.addons.<addon>.tests.emulator``) import without its Odoo test cases.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from serve_emulator import register_bare_addons  # noqa: E402 - scripts/ is on the path only now


def _install_addon_namespaces():
    real = sys.modules.get("odoo")
    if real is not None and hasattr(real, "models"):
        raise RuntimeError("tests/unit must run without Odoo loaded (use -p no:odoo)")
    register_bare_addons(ROOT)


_install_addon_namespaces()
