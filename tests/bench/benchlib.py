"""What the benchmark scripts share: opening the bench database, timing, verdicts."""

import argparse
import importlib
import importlib.util
import multiprocessing
import os
import sys
import time
import types
from pathlib import Path
from unittest.mock import patch

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tools import config

ROOT = Path(__file__).resolve().parents[2]


def open_registry(description):
    """Parse ``-c`` and ``-d`` and return the registry of that database."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    return odoo.modules.registry.Registry(args.database)


def emulator_module(addon):
    """``odoo.addons.<addon>.tests.emulator``, once the configuration has named the addons path.

    The addons' ``tests`` packages are registered bare first: their ``__init__`` imports the
    Odoo test cases, and Odoo logs an error for its test framework imported outside test mode.
    """
    for name in ("connector_base", addon):
        package = f"odoo.addons.{name}.tests"
        if package not in sys.modules:
            bare = types.ModuleType(package)
            bare.__path__ = [str(ROOT / name / "tests")]
            sys.modules[package] = bare
    return importlib.import_module(f"odoo.addons.{addon}.tests.emulator")


def odoo_servers():
    """connector_base's helpers for real server processes (``tests/odoo_servers.py``), loaded
    from their file: importing its tests package outside a test run would load Odoo's test
    framework. Importable once the configuration has named the addons path."""
    addon = importlib.import_module("odoo.addons.connector_base")
    path = Path(addon.__file__).parent / "tests" / "odoo_servers.py"
    spec = importlib.util.spec_from_file_location("connector_odoo_servers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def env_for(cr):
    return api.Environment(cr, SUPERUSER_ID, {})


def measured(cr, action):
    """(result, seconds, SQL queries) of ``action()``, pending writes flushed on both sides."""
    cr.flush()
    queries = cr.sql_log_count
    started = time.perf_counter()
    result = action()
    cr.flush()
    return result, time.perf_counter() - started, cr.sql_log_count - queries


# Rounds of the raw create and the import where a speed ratio swings across its target from
# run to run: the median round's is the verdict (see raw_then_import).
ROUNDS = 3


def round_ratios_line(figures):
    """The line listing each round's ratio, or None after a single round."""
    ratios = figures.get("round_ratios")
    if not ratios:
        return None
    return f"  rounds            {', '.join(f'{ratio:.2f}x' for ratio in ratios)} (the median is the verdict)"


def verdict(met):
    return "OK" if met else "MISSED"


def addon_module(name):
    """A module of the connector addons, importable once the configuration named the addons path."""
    return importlib.import_module(f"odoo.addons.{name}")


def import_context():
    """What an import passes to every create it makes; the raw baseline gets the same."""
    sync = addon_module("connector_base.lib.sync")
    return {sync.FROM_CONNECTOR: True, **sync.QUIET_CREATE_CONTEXT}


def written_rows(cr, action):
    """Run ``action`` and return the INSERT, UPDATE and DELETE statements it sent."""
    execute, writes = cr.execute, []

    def spy(query, params=None, log_exceptions=True):
        verb = str(getattr(query, "code", query)).lstrip().split(maxsplit=1)[0].upper()
        if verb in ("INSERT", "UPDATE", "DELETE"):
            writes.append(verb)
        return execute(query, params, log_exceptions)

    with patch.object(cr, "execute", spy):
        action()
        cr.flush()
    return writes


def vacuum(cr):
    """Clear the dead rows earlier runs and phases left, and refresh the planner's statistics,
    so each measured phase starts from the same state (one running after a big rollback would
    otherwise wade through its garbage); then give the tables that hold no row the state of a
    database where they never held one (see :func:`_as_never_filled`)."""
    cr._cnx.autocommit = True  # VACUUM runs outside a transaction
    try:
        cr.execute("VACUUM ANALYZE")
        _as_never_filled(cr)
    finally:
        cr._cnx.autocommit = False


def _as_never_filled(cr):
    """Truncate the empty tables, which PostgreSQL then plans as on a new database (as some
    pages of rows) rather than as the empty ones a vacuum just counted.

    The difference is not small: a phase's first foreign-key check into a table counted empty
    (a message's tag row pointing at its message) is planned as a scan of that table, and the
    plan, kept for the session, scans every row the phase adds: checks costing a quarter of a
    20,000-message create, on the raw side and the import's alike, that a database on its
    first import or with history does not pay. An empty table referenced by another that is not
    truncated (one holding rows) is left alone: PostgreSQL truncates a referenced table only with
    the tables referring to it; so is one in a table inheritance (an empty parent's rows live in
    its children)."""
    cr.execute(
        """
        SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.reltuples = 0
           AND NOT c.relhassubclass AND NOT EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = c.oid)
        """
    )
    empty = dict(cr.fetchall())
    cr.execute("SELECT conrelid, confrelid FROM pg_constraint WHERE contype = 'f'")
    references = cr.fetchall()
    while True:
        held = {referenced for referring, referenced in references if referring not in empty}
        if not held & empty.keys():
            break
        for oid in held:
            empty.pop(oid, None)
    if empty:
        tables = ", ".join(f'public."{name}"' for name in sorted(empty.values()))
        cr.execute(f"TRUNCATE ONLY {tables}")


def raw_then_import(cr, measure_raw, measure_import, measure_idle_poll, rounds=1, ratio=None):
    """The figures of the sequence every import benchmark runs once its setup is ready: the raw
    batch create and the import in turn, ``rounds`` times (all rolled back but the last
    import), then a poll with nothing new (rolled back). Each ``measure_*`` is called without
    arguments and returns a dict of figures.

    With several rounds, the figures are those of the round whose ``ratio`` (a function of a
    round's figures) is the median, with ``round_ratios``, every round's. The two sides of a
    round run within seconds of each other, so load from other processes, which drifts, weighs
    on both; a single pair swung by a fifth from run to run on two shared cores."""
    # The runner runs every job with the objects older than it frozen for Python's collector
    # (lib.heap): the import runs so, and the raw create too, so that only the work differs.
    spared = addon_module("connector_base.lib.heap").collector_spares_older_objects
    cr.commit()
    measured_rounds = []
    for number in range(rounds):
        vacuum(cr)
        with spared():
            figures = measure_raw()
        cr.rollback()
        vacuum(cr)
        with spared():
            figures.update(measure_import())
        if number < rounds - 1:
            cr.rollback()
        measured_rounds.append(figures)
    cr.commit()
    if rounds > 1:
        ratios = [ratio(figures) for figures in measured_rounds]
        median = sorted(range(rounds), key=ratios.__getitem__)[rounds // 2]
        figures = {**measured_rounds[median], "round_ratios": ratios}
    figures.update(measure_idle_poll())
    cr.rollback()
    return figures


class ServedApart:
    """An emulator serving from a process of its own, as a platform serves from its own
    machines: its work (reading the data, encoding the answers) is not the import's, and in
    this process it would hold the interpreter the import runs in. Started with the data the
    emulator holds now; ``reset``, ``count`` and ``stop`` are the emulator's, run there."""

    def __init__(self, emulator):
        context = multiprocessing.get_context("fork")
        self._commands, commands = context.Pipe()
        self._process = context.Process(target=_serve_apart, args=(emulator, commands), daemon=True)
        self._process.start()
        self.base_url = self._commands.recv()

    def _call(self, name, *args):
        self._commands.send((name, args))
        failure, value = self._commands.recv()
        if failure:
            raise RuntimeError(f"the emulator's {name} failed: {failure}")
        return value

    def reset(self):
        return self._call("reset")

    def count(self, route=None, method=None):
        return self._call("count", route, method)

    def stop(self):
        if self._process.is_alive():
            self._call("stop")
        self._process.join(10)


def _serve_apart(emulator, commands):
    emulator.start()
    commands.send(emulator.base_url)
    while True:
        name, args = commands.recv()
        try:
            commands.send((None, getattr(emulator, name)(*args)))
        except Exception as error:  # noqa: BLE001 - said in the parent
            commands.send((repr(error), None))
        if name == "stop":
            os._exit(0)
