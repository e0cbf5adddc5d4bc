#!/usr/bin/env python3
"""Benchmark the Smartsheet import on a real database (run through `make bench`).

A 10,000-row, 20-column, three-level sheet served by the Smartsheet emulator
over HTTP is imported into project tasks. Printed, from one run:
- rows per second of the import against a raw batch ``create`` of the same
  tasks (same values, same hierarchy, same context; one create per level), and
  their ratio (target >= 0.70). Each path runs twice, alternating, from a
  vacuumed database, and its best run counts: other work on the machine should
  not decide the ratio;
- SQL queries per row of both (target: at most 2 more per row);
- API calls used against the minimum the paging allows (target: equal);
- a second sync with no change: API calls (target: exactly 1) and database
  writes (target: none).
Exits 1 when a target is missed.
"""

import importlib
import math
import time
from contextlib import closing

from benchlib import emulator_module, measured, open_registry, vacuum, verdict

from odoo import SUPERUSER_ID, api

ROWS = 10_000
PHASES, TASKS, SUBTASKS = 100, 9, 10  # 100 + 900 + 9,000 rows on three levels
COLUMNS = 20
TOKEN = "bench-token"
WRITE_STATEMENTS = ("INSERT", "UPDATE", "DELETE")
ROUNDS = 2


def addon_module(name):
    """A module of the addon; importable once the configuration has set the addons path."""
    return importlib.import_module(f"odoo.addons.connector_smartsheet.{name}")


def build_sheet(emulator):
    task_columns = emulator_module("connector_smartsheet").TASK_COLUMNS
    extra_columns = COLUMNS - len(task_columns)
    columns = task_columns + [
        {"title": f"Field {index}", "type": "TEXT_NUMBER"} for index in range(extra_columns)
    ]
    sheet_id = emulator.add_sheet("Bench plan", columns)
    statuses = ["Not Started", "In Progress", "Done"]
    extra = {f"Field {index}": f"value {index}" for index in range(extra_columns)}

    def values(name, number):
        return {
            "Task Name": name,
            "Status": statuses[number % 3],
            "Due": f"2025-{number % 12 + 1:02d}-{number % 28 + 1:02d}",
            "Assigned To": f"bench{number % 5}@example.com",
            "Tags": ["Urgent", "Customer"] if number % 2 else ["Internal"],
            "Flagged": bool(number % 3),
            "Notes": f"Notes of {name}",
            "Spec": {"url": f"https://example.com/spec/{number}", "text": "Spec"},
            "Duration": f"{number % 9 + 1}d",
            "Hours": number % 40,
            "Cost": {"formula": "=[Hours]@row * 80", "value": number % 40 * 80},
            **extra,
        }

    # Display order: each parent followed by its whole subtree, as Smartsheet lists rows.
    number = 0

    def add(name, parent_id):
        nonlocal number
        number += 1
        return emulator.load_rows(sheet_id, [(values(name, number), parent_id)])[0]

    for phase in range(PHASES):
        phase_id = add(f"Phase {phase}", None)
        for task in range(TASKS):
            task_id = add(f"Task {phase}.{task}", phase_id)
            for subtask in range(SUBTASKS):
                add(f"Subtask {phase}.{task}.{subtask}", task_id)
    assert len(emulator.sheets[sheet_id].rows) == ROWS
    return sheet_id


def raw_values(sheet):
    """The tasks the import writes, level by level: (row id, parent row id, create values)."""
    cells = addon_module("lib.mapper")
    PARENT_ID, ROW_ID, ROW_NUMBER = cells.PARENT_ID, cells.ROW_ID, cells.ROW_NUMBER
    run = addon_module("models.smartsheet_sheet_import").ImportRun(sheet, sheet._columns())
    depth, levels = {}, []
    with sheet.backend_id._smartsheet_client() as client:
        for page in client.iter_sheet_pages(sheet.sheet_id, sheet.backend_id.page_size):
            batch = run.mapper.to_odoo_batch(run.records(page["rows"]))
            assert not batch.failed, batch.failed[:1]
            for record, mapped in batch.good:
                parent = record[PARENT_ID]
                level = depth[record[ROW_ID]] = 0 if parent is None else depth[parent] + 1
                while len(levels) <= level:
                    levels.append([])
                values = {**mapped, "project_id": sheet.project_id.id, "sequence": record[ROW_NUMBER]}
                levels[level].append((record[ROW_ID], parent, values))
    return levels


def raw_create(env, levels):
    """The same tasks created in one batch per level, with the import's context."""
    context = {"from_connector": True, **addon_module("models.smartsheet_sheet_import").IMPORT_CONTEXT}
    Task = env["project.task"].with_context(**context)
    task_of = {}
    for level in levels:
        tasks = Task.create(
            [{**values, "parent_id": task_of.get(parent, False)} for _row, parent, values in level]
        )
        task_of.update(zip([row for row, _parent, _values in level], tasks.ids, strict=True))
    return task_of


class WriteCounter:
    """Counts the SQL statements that write, by wrapping the cursor's execute."""

    def __init__(self, cr):
        self.cr = cr
        self.writes = []
        self._execute = cr.execute

    def __enter__(self):
        def execute(query, params=None, log_exceptions=True):
            text = str(getattr(query, "code", query)).lstrip().upper()
            if text.startswith(WRITE_STATEMENTS):
                self.writes.append(text[:80])
            return self._execute(query, params, log_exceptions)

        self.cr.execute = execute
        return self

    def __exit__(self, *exc_info):
        del self.cr.execute


def bench(registry):
    emulator = emulator_module("connector_smartsheet").SmartsheetEmulator(tokens=(TOKEN,))
    emulator.start()
    try:
        started = time.perf_counter()
        sheet_id = build_sheet(emulator)
        built = time.perf_counter() - started
        print(f"smartsheet import: {ROWS} rows x {COLUMNS} columns, 3 levels (sheet built in {built:.1f} s)")
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            users = env["res.users"].create(
                [
                    {
                        "name": f"Bench user {index}",
                        "login": f"bench{index}",
                        "email": f"bench{index}@example.com",
                    }
                    for index in range(5)
                ]
            )
            project = env["project.project"].create({"name": "Bench project"})
            backend = env["smartsheet.backend"].create(
                {
                    "name": "Bench Smartsheet",
                    "region": "custom",
                    "custom_api_url": emulator.api_url,
                    "access_token": TOKEN,
                    "use_webhooks": False,
                }
            )
            sheet = env["smartsheet.sheet"].create(
                {
                    "backend_id": backend.id,
                    "sheet_id": str(sheet_id),
                    "name": "Bench plan",
                    "project_id": project.id,
                }
            )
            env["connector.sync.job"].search(
                [("backend_model", "=", backend._name), ("backend_id", "=", backend.id)]
            ).unlink()
            cr.commit()
            ids = {"users": users.ids, "project": project.id, "backend": backend.id, "sheet": sheet.id}
        try:
            return measure(registry, emulator, ids)
        finally:
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["smartsheet.backend"].browse(ids["backend"]).unlink()
                env["project.task"].with_context(active_test=False).search(
                    [("project_id", "=", ids["project"])]
                ).unlink()
                env["project.project"].browse(ids["project"]).unlink()
                env["connector.field.mapping"].search(
                    [("backend_model", "=", "smartsheet.backend"), ("backend_id", "=", ids["backend"])]
                ).unlink()
                env["res.users"].browse(ids["users"]).unlink()
    finally:
        emulator.stop()


def measure(registry, emulator, ids):
    """Best of ROUNDS for each path, the two alternating, so a load spike on the machine
    does not decide the ratio; the last import is kept for the unchanged-sync check."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        levels = raw_values(env["smartsheet.sheet"].browse(ids["sheet"]))
        cr.commit()  # the tags the mapping created exist for both paths
        # Warm the caches both paths share.
        raw_create(env, [level[:20] for level in levels])
        cr.rollback()
    raw_runs, import_runs = [], []
    for round_number in range(ROUNDS):
        with closing(registry.cursor()) as cr:
            vacuum(cr)
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            _tasks, seconds, queries = measured(cr, lambda env=env: raw_create(env, levels))
            raw_runs.append((seconds, queries))
            cr.rollback()
        with closing(registry.cursor()) as cr:
            vacuum(cr)
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            sheet = env["smartsheet.sheet"].browse(ids["sheet"])
            emulator.reset()
            result, seconds, queries = measured(cr, lambda sheet=sheet: sheet._sync(full=True))
            import_runs.append((seconds, queries))
            import_calls = emulator.api_calls()
            created = result["created"]
            if round_number < ROUNDS - 1:
                cr.rollback()
        print(
            f"  round {round_number + 1}: raw {ROWS / raw_runs[-1][0]:.0f} rows/s,"
            f" import {ROWS / import_runs[-1][0]:.0f} rows/s"
        )
    (raw_seconds, raw_queries), (import_seconds, import_queries) = min(raw_runs), min(import_runs)

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        sheet = env["smartsheet.sheet"].browse(ids["sheet"])
        emulator.reset()
        with WriteCounter(cr) as counter:
            again, _seconds, again_queries = measured(cr, sheet._sync)
        again_calls = emulator.api_calls()
        cr.rollback()
        page_size = env["smartsheet.backend"].browse(ids["backend"]).page_size

    minimum_calls = math.ceil(ROWS / page_size)
    ratio = raw_seconds / import_seconds
    extra_queries = (import_queries - raw_queries) / ROWS
    print(f"  raw batch create {ROWS / raw_seconds:10.0f} rows/s  {raw_queries / ROWS:6.3f} queries/row")
    print(
        f"  sheet import     {ROWS / import_seconds:10.0f} rows/s  {import_queries / ROWS:6.3f} queries/row"
        f"  ({created} created)"
    )
    print(f"  speed ratio      {ratio:10.2f}x   (target >= 0.70x) {verdict(ratio >= 0.7)}")
    print(f"  extra queries    {extra_queries:10.3f} per row (target <= 2) {verdict(extra_queries <= 2)}")
    calls_ok = import_calls == minimum_calls
    print(
        f"  API calls        {import_calls:10d}   (minimum at {page_size} rows per page: {minimum_calls})"
        f" {verdict(calls_ok)}"
    )
    again_ok = again_calls == 1 and not counter.writes and again.get("skipped") == 1
    print(
        f"  sync unchanged   {again_calls} API call, {len(counter.writes)} writes, {again_queries} queries "
        f"(target: 1 call, 0 writes) {verdict(again_ok)}"
    )
    for statement in counter.writes[:5]:
        print(f"    write: {statement}")
    return ratio >= 0.7 and extra_queries <= 2 and calls_ok and again_ok and created == ROWS


def main():
    registry = open_registry(__doc__)
    return 0 if bench(registry) else 1


if __name__ == "__main__":
    raise SystemExit(main())
