"""scripts/suite.py finds the suite's addons and their demos in the addons themselves."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def suite():
    spec = importlib.util.spec_from_file_location("suite_under_test", ROOT / "scripts" / "suite.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _addon(root, name, emulator=None):
    (root / name / "tests").mkdir(parents=True)
    (root / name / "__manifest__.py").write_text(repr({"name": name}) + "\n")
    if emulator is not None:
        (root / name / "tests" / "emulator.py").write_text(emulator)


def test_every_connector_folder_with_a_manifest_is_in_the_suite(suite, tmp_path):
    _addon(tmp_path, "connector_base")
    _addon(tmp_path, "connector_newplatform")
    (tmp_path / "connector_notes").mkdir()  # no manifest: not an addon
    _addon(tmp_path, "other_addon")

    assert suite.suite_addons(tmp_path) == ["connector_base", "connector_newplatform"]


def test_a_connector_declares_its_demo_in_its_emulator_which_is_read_not_run(suite, tmp_path):
    _addon(
        tmp_path,
        "connector_newplatform",
        'raise SystemExit("never imported")\nDEMO = {"backend_model": "newplatform.backend", "port": 8399}\n',
    )
    _addon(tmp_path, "connector_empty")
    _addon(tmp_path, "connector_nodemo", "PORT = 1\n")

    [demo] = suite.find_demos(tmp_path, ["connector_empty", "connector_newplatform", "connector_nodemo"])

    assert (demo.addon, demo.backend_model, demo.default_port) == (
        "connector_newplatform",
        "newplatform.backend",
        8399,
    )
    assert demo.port_name == "demo-newplatform"


def test_this_checkout_has_every_connector_and_its_demo(suite):
    connectors = {f"connector_{name}" for name in ("base", "podio", "smartsheet", "sprout", "trello")}
    demos = {(demo.addon, demo.backend_model) for demo in suite.find_demos(suite.ROOT, suite.SUITE)}

    assert connectors <= set(suite.SUITE)
    assert demos == {
        ("connector_podio", "podio.backend"),
        ("connector_smartsheet", "smartsheet.backend"),
        ("connector_sprout", "sprout.backend"),
        ("connector_trello", "trello.backend"),
    }
