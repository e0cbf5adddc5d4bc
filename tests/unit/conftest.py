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

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from serve_emulator import register_bare_addons  # noqa: E402 - scripts/ is on the path only now


def _install_addon_namespaces():
    real = sys.modules.get("odoo")
    if real is not None and hasattr(real, "models"):
        raise RuntimeError("tests/unit must run without Odoo loaded (use -p no:odoo)")
    register_bare_addons(ROOT)


_install_addon_namespaces()


@pytest.fixture
def serving():
    """``serving(emulator, make_client)``: the emulator started and a client of it
    (``make_client(base_url)``), both closed when the test ends."""
    running = []

    def start(emulator, make_client):
        emulator.start()
        client = make_client(emulator.base_url)
        running.append((emulator, client))
        return emulator, client

    yield start
    for emulator, client in running:
        client.close()
        emulator.stop()
