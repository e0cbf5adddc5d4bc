#!/usr/bin/env python3
"""Benchmark how long a change made on a platform takes to show in Odoo (run by `make bench`).

Per connector with webhooks (Trello, Smartsheet, Podio), on a real Odoo server process,
threaded and then prefork with two HTTP workers: a person renames cards (rows, contact
items) on the emulator, which calls Odoo's webhook route back as the platform does (Trello
and Podio shortly after a change, Smartsheet about a second after it, the events of that
second together); the time from each rename to the task's (partner's) new name being
committed in Odoo is a change's latency. Measured idle (CHANGES renames, one at a
time) and under load (RATE renames per second for LOAD_SECONDS s). Prints, for each:
- p50 and p95 of the latency, from the change on the platform, and apart from it the
  platform's own part (from the change to the emulator sending its webhook call) and
  Odoo's part (from that call to the new name committed);
- how many changes were lost (not shown in Odoo within GIVE_UP_SECONDS), late (shown after
  LATE_SECONDS: a backlog) or overtaken (renamed again before their name showed), and
  whether every record ended with its item's final name;
- the API calls per change, how long the queue took to drain once the load stopped,
  and the load average of the machine while it ran (figures taken under load measure it);
- the webhook jobs' runs: how many jobs ran their handler (the others were taken along
  by one), the handler's time per run, and the jobs retried (a retry waits its backoff).
Then, in this process, the SQL queries a Trello action costs when applied alone and in a
burst (load-independent). Targets: p95 <= 1 s idle and <= 3 s under load, nothing lost,
queue drained within 5 s.

The platform notes give no delay for any platform's calls. Smartsheet's webhook-callbacks
guide documents a one-minute debounce of events on Smartsheet Commercial, so on Smartsheet a
change waits on the platform far longer than the targets: there they are held against Odoo's
part, and the whole is printed beside it. The emulator's one second (Trello's and Podio's
0.2 s) is its own choice, reported as the platform's part.

``--quick`` runs a reduced load (a few seconds) for a check of the script itself; ``--only``
and ``--server`` measure one connector or one server mode.
"""

import argparse
import os
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from unittest.mock import patch

from bench_podio import signed_in_backend
from benchlib import addon_module, emulator_module, env_for, odoo_servers, verdict

import odoo
from odoo.tools import SQL, config

CHANGES = 50
RATE = 20
LOAD_SECONDS = 60
# Each card (row) is renamed once per ITEMS / RATE seconds under load: far longer than a
# change takes, so every rename can be seen before the next one of the same item.
ITEMS = 200
IDLE_TARGET = 1.0
LOAD_TARGET = 3.0
DRAIN_TARGET = 5.0
# A change not shown after this long counts as lost; one shown after LATE_SECONDS, as late
# (a backlog, not a loss: its latency counts in the percentiles all the same).
GIVE_UP_SECONDS = 120.0
LATE_SECONDS = 30.0
POLL_SECONDS = 0.01
# The SQL measure: actions applied in one burst.
BURST = 20


class Watcher(threading.Thread):
    """Reads the names of the watched tasks in a loop and records when each expected name
    first shows: the latency of the change that set it, and the platform's part of it."""

    def __init__(self, registry, platform, task_ids):
        super().__init__(daemon=True)
        self.registry = registry
        self.platform = platform
        self.task_ids = list(task_ids)
        self.expected = {}  # task id -> (item, name, changed at)
        self.latencies = []
        self.platform_delays = []
        self.odoo_parts = []  # from the webhook call sent to the new name seen
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def expect(self, task_id, item, name, changed_at):
        with self.lock:
            superseded = self.expected.get(task_id)
            self.expected[task_id] = (item, name, changed_at)
        return superseded

    def outstanding(self):
        with self.lock:
            return len(self.expected)

    def run(self):
        with self.registry.cursor() as cr:
            while not self.stopping.is_set():
                names = record_names(cr, self.platform, self.task_ids)
                seen_at = time.monotonic()
                cr.rollback()
                with self.lock:
                    for task_id, (item, name, changed_at) in list(self.expected.items()):
                        if names.get(task_id) == name:
                            self.latencies.append(seen_at - changed_at)
                            sent_at = self.platform.sent_at.get(item)
                            if sent_at is not None and changed_at <= sent_at <= seen_at:
                                self.platform_delays.append(sent_at - changed_at)
                                self.odoo_parts.append(seen_at - sent_at)
                            del self.expected[task_id]
                time.sleep(POLL_SECONDS)


def pending_jobs(registry, backend):
    with registry.cursor() as cr:
        cr.execute(
            "SELECT count(*) FROM connector_sync_job WHERE backend_model = %s AND backend_id = %s"
            " AND state IN ('pending', 'running') AND next_attempt_at <= (now() AT TIME ZONE 'UTC')",
            list(backend),
        )
        return cr.fetchone()[0]


def wait_settled(registry, backend, timeout=300):
    deadline = time.monotonic() + timeout
    while pending_jobs(registry, backend):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{backend}: jobs still pending after {timeout} s")
        time.sleep(0.2)


def record_names(cr, platform, record_ids):
    """{id: name} of the platform's records (tasks, partners) of ``record_ids``."""
    table = SQL.identifier(platform.table)
    cr.execute(SQL("SELECT id, name FROM %s WHERE id = ANY(%s)", table, list(record_ids)))
    return dict(cr.fetchall())


def final_names(registry, platform, record_ids):
    with registry.cursor() as cr:
        return record_names(cr, platform, record_ids)


def last_job_id(registry):
    with registry.cursor() as cr:
        cr.execute("SELECT COALESCE(max(id), 0) FROM connector_sync_job")
        return cr.fetchone()[0]


def job_runs(registry, backend, after_id):
    """(jobs, runs, runs' seconds p50 and max, jobs retried, their errors) of the backend's
    webhook jobs after ``after_id``: a run is a job that ran its handler, the others were
    taken along by one (coalescing); a retry waits for its backoff."""
    with registry.cursor() as cr:
        cr.execute(
            "SELECT result_summary LIKE 'Done with job %%', duration, attempts, error_class"
            "  FROM connector_sync_job WHERE backend_model = %s AND backend_id = %s AND id > %s"
            "   AND kind = 'webhook'",
            [*backend, after_id],
        )
        rows = cr.fetchall()
    durations = [duration or 0.0 for taken, duration, _attempts, _error in rows if not taken]
    retried = [error for _taken, _duration, attempts, error in rows if attempts > 1]
    return len(rows), len(durations), percentile(durations, 0.5), max(durations, default=0.0), retried


def drive(platform, watcher, changes, rate, label):
    """Rename ``changes`` items, ``rate`` per second (0: each once the previous one showed).

    Returns the phase's figures: latencies and their parts; changes lost (their last name
    never showed) and overtaken (renamed again before their name showed); seconds from the
    last change to an empty queue; API calls; tasks whose name is not their item's last;
    refused deliveries; the load average."""
    items = platform.items()
    overtaken = 0
    platform.emulator.reset()
    refused_before = platform.refused_deliveries()
    first_job = last_job_id(platform.registry)
    final = {}
    start = time.monotonic()
    for index in range(changes):
        task_id, item = items[index % len(items)]
        if rate:
            time.sleep(max(start + index / rate - time.monotonic(), 0))
        name = f"{label} change {index}"
        changed_at = time.monotonic()
        platform.rename(item, name)
        final[task_id] = name
        # Renamed again before its previous name showed: that name can never show.
        overtaken += watcher.expect(task_id, item, name, changed_at) is not None
        if not rate:
            deadline = changed_at + GIVE_UP_SECONDS
            while watcher.outstanding() and time.monotonic() < deadline:
                time.sleep(POLL_SECONDS)
    last = time.monotonic()
    deadline = last + GIVE_UP_SECONDS
    while watcher.outstanding() and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
    while pending_jobs(platform.registry, platform.backend) and time.monotonic() < deadline:
        time.sleep(0.05)
    drained = time.monotonic() - last
    load_average = os.getloadavg()[0]
    with watcher.lock:
        lost = len(watcher.expected)
        watcher.expected.clear()
        latencies, watcher.latencies = watcher.latencies, []
        delays, watcher.platform_delays = watcher.platform_delays, []
        odoo_parts, watcher.odoo_parts = watcher.odoo_parts, []
    names = final_names(platform.registry, platform, final)
    wrong = sum(names.get(task_id) != name for task_id, name in final.items())
    return {
        "latencies": latencies,
        "platform_delays": delays,
        "odoo_parts": odoo_parts,
        "lost": lost,
        "late": sum(latency > LATE_SECONDS for latency in latencies),
        "overtaken": overtaken,
        "drained": drained,
        "api_calls": platform.api_calls(),
        "changes": changes,
        "load_average": load_average,
        "wrong_final": wrong,
        "refused": platform.refused_deliveries() - refused_before,
        "runs": job_runs(platform.registry, platform.backend, first_job),
    }


class Platform:
    """What the measure asks of every platform's emulator: the calls Odoo made to its API
    (its webhook calls are not calls) and the webhook calls Odoo did not answer 200 (the
    emulators do not send them again). Each platform says how its emulator logs the HTTP
    statuses of its webhook calls (``delivery_statuses``)."""

    def start_timed_delivery(self, item_of):
        """Start the emulator delivering in the background, noting in :attr:`sent_at` when
        the last webhook call naming each item (``item_of(delivery)``) was sent."""
        self.sent_at = {}
        deliver = self.emulator.deliver

        def timed_deliver(delivery, **options):
            item = item_of(delivery)
            if item:
                self.sent_at[item] = time.monotonic()
            return deliver(delivery, **options)

        self.emulator.deliver = timed_deliver
        self.emulator.start()
        self.emulator.start_auto_delivery()

    def api_calls(self):
        return self.emulator.count()

    def refused_deliveries(self):
        return sum(status != 200 for status in self.delivery_statuses())


class TrelloPlatform(Platform):
    name = "Trello"
    delay_basis = "the emulator delivers 0.2 s after a change; the platform notes give no delay"
    table = "project_task"
    judged_from_call = False

    def __init__(self, registry, public_url):
        self.registry = registry
        module = emulator_module("connector_trello")
        self.emulator = module.TrelloEmulator()
        board_id = module.generate_board(self.emulator, ITEMS, check_items=0, comments=0)
        self.start_timed_delivery(lambda delivery: (delivery.action["data"].get("card") or {}).get("id"))
        with registry.cursor() as cr:
            env = env_for(cr)
            backend = env["trello.backend"].create(
                {
                    "name": "Bench latency Trello",
                    "api_url": self.emulator.url("/1"),
                    "api_key": self.emulator.api_key,
                    "app_secret": self.emulator.app_secret,
                    "token": next(iter(self.emulator.tokens)),
                    "public_base_url": public_url,
                }
            )
            env["trello.board"].create({"backend_id": backend.id, "board_id": board_id, "name": "Bench"})
            self.backend = (backend._name, backend.id)

    def items(self):
        with self.registry.cursor() as cr:
            env = env_for(cr)
            backend = env[self.backend[0]].browse(self.backend[1])
            bindings = env["connector.external.binding"].search(
                [
                    ("backend_model", "=", backend._name),
                    ("backend_id", "=", backend.id),
                    ("external_type", "=", "card"),
                ]
            )
            return sorted((binding.res_id, binding.external_id) for binding in bindings)

    def rename(self, card_id, name):
        self.emulator.update_card(card_id, name=name)

    def delivery_statuses(self):
        return [status for _hook, _action, status in self.emulator.delivery_log]

    def remove(self):
        self.emulator.stop()
        with self.registry.cursor() as cr:
            backend = env_for(cr)[self.backend[0]].browse(self.backend[1])
            projects = backend.board_ids.project_id
            backend.unlink()
            projects.with_context(active_test=False).unlink()
            cr.execute(
                "DELETE FROM connector_sync_job WHERE backend_model = %s AND backend_id = %s",
                list(self.backend),
            )


class SmartsheetPlatform(Platform):
    name = "Smartsheet"
    delay_basis = (
        "the emulator calls back 1.0 s after a change, that second's events together; Smartsheet"
        " Commercial documents a one-minute debounce, the platform notes give no delay"
    )
    table = "project_task"
    # Smartsheet documents a one-minute debounce of its events on Smartsheet Commercial
    # (webhook-callbacks guide): what a change waits for there is the platform's, so the
    # targets are held against the time from its call to the change committed in Odoo.
    judged_from_call = True
    token = "pat-bench-latency-0123456789"

    def __init__(self, registry, public_url):
        self.registry = registry
        module = emulator_module("connector_smartsheet")
        self.emulator = module.SmartsheetEmulator(tokens=(self.token,), auto_deliver=True)
        self.sheet_id = self.emulator.add_sheet("Bench latency", module.TASK_COLUMNS)
        self.emulator.load_rows(
            self.sheet_id, [({"Task Name": f"Row {index}"}, None) for index in range(ITEMS)]
        )
        self.sent_at = {}  # row id -> when the last callback naming it was sent
        send_callback = self.emulator.send_callback

        def timed_send_callback(webhook_id, body, **options):
            now = time.monotonic()
            for event in body.get("events") or ():
                row_id = event.get("rowId") if event.get("objectType") == "cell" else event.get("id")
                if event.get("objectType") in ("row", "cell") and row_id:
                    self.sent_at[row_id] = now
            return send_callback(webhook_id, body, **options)

        self.emulator.send_callback = timed_send_callback
        self.emulator.start()
        with registry.cursor() as cr:
            env = env_for(cr)
            backend = env["smartsheet.backend"].create(
                {
                    "name": "Bench latency Smartsheet",
                    "region": "custom",
                    "custom_api_url": self.emulator.api_url,
                    "access_token": self.token,
                    "public_base_url": public_url,
                    "row_check_hours": 0,
                }
            )
            self.backend = (backend._name, backend.id)
        # Smartsheet verifies the webhook while the sheet is linked: Odoo answers the
        # challenge from the backend, so it must be committed first (as it is in use).
        with registry.cursor() as cr:
            env = env_for(cr)
            project = env["project.project"].create({"name": "Bench latency"})
            env["smartsheet.sheet"].create(
                {
                    "backend_id": self.backend[1],
                    "sheet_id": str(self.sheet_id),
                    "name": "Bench latency",
                    "project_id": project.id,
                }
            )
            self.project_id = project.id

    def items(self):
        with self.registry.cursor() as cr:
            env = env_for(cr)
            bindings = env["connector.external.binding"].search(
                [
                    ("backend_model", "=", self.backend[0]),
                    ("backend_id", "=", self.backend[1]),
                    ("res_model", "=", "project.task"),
                ]
            )
            return sorted((binding.res_id, int(binding.external_id)) for binding in bindings)

    def rename(self, row_id, name):
        self.emulator.update_cells(self.sheet_id, row_id, {"Task Name": name})

    def delivery_statuses(self):
        return [status for _hook, _raw, _signature, status in self.emulator.callbacks]

    def remove(self):
        self.emulator.stop()
        with self.registry.cursor() as cr:
            env = env_for(cr)
            env[self.backend[0]].browse(self.backend[1]).unlink()
            env["project.project"].browse(self.project_id).with_context(active_test=False).unlink()
            cr.execute(
                "DELETE FROM connector_sync_job WHERE backend_model = %s AND backend_id = %s",
                list(self.backend),
            )


class PodioPlatform(Platform):
    name = "Podio"
    delay_basis = (
        "the emulator calls 0.2 s after a change, 8 calls at a time; the platform notes give no delay"
    )
    table = "res_partner"
    judged_from_call = False

    def __init__(self, registry, public_url):
        self.registry = registry
        module = emulator_module("connector_podio")
        self.module = module
        self.emulator = module.PodioEmulator()
        space_id = self.emulator.add_space(self.emulator.add_org("Bench"), "Bench latency")
        self.app_id = self.emulator.add_app(space_id, "Bench latency contacts", "Contact")
        for index in range(ITEMS):
            self.emulator.add_item(
                self.app_id,
                {
                    "title": module.text_value(f"Contact {index}"),
                    "email": module.email_values(("work", f"latency{index}@example.com")),
                },
                hook=False,
            )
        self.start_timed_delivery(lambda delivery: int(delivery.body.get("item_id") or 0) or None)
        with registry.cursor() as cr:
            env = env_for(cr)
            backend = signed_in_backend(
                env, self.emulator, name="Bench latency Podio", public_base_url=public_url
            )
            self.backend = (backend._name, backend.id)
        # Podio verifies each hook as it is made: Odoo answers from the committed backend.
        with registry.cursor() as cr:
            env_for(cr)["podio.app"].create(
                {
                    "backend_id": self.backend[1],
                    "app_id": str(self.app_id),
                    "name": "Bench latency contacts",
                    "odoo_model": "res.partner",
                }
            )

    def items(self):
        with self.registry.cursor() as cr:
            bindings = env_for(cr)["connector.external.binding"].search(
                [
                    ("backend_model", "=", self.backend[0]),
                    ("backend_id", "=", self.backend[1]),
                    ("res_model", "=", "res.partner"),
                ]
            )
            return sorted((binding.res_id, int(binding.external_id)) for binding in bindings)

    def ready(self):
        """Every hook verified: changes before that would reach Odoo only by the poll."""
        hooks = self.emulator.hooks.values()
        return bool(hooks) and all(hook["status"] == "active" for hook in hooks)

    def rename(self, item_id, name):
        with self.emulator.state:
            self.emulator.update_item(item_id, {"title": self.module.text_value(name)})

    def delivery_statuses(self):
        return [status for _hook, _type, status in self.emulator.delivery_log]

    def remove(self):
        self.emulator.stop()
        with self.registry.cursor() as cr:
            env = env_for(cr)
            partners = (
                env["res.partner"]
                .with_context(active_test=False)
                .browse([res_id for res_id, _item in self.items()])
            )
            env["connector.external.binding"].search(
                [("backend_model", "=", self.backend[0]), ("backend_id", "=", self.backend[1])]
            ).unlink()
            env[self.backend[0]].browse(self.backend[1]).unlink()
            partners.unlink()
            cr.execute(
                "DELETE FROM connector_sync_job WHERE backend_model = %s AND backend_id = %s",
                list(self.backend),
            )


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(round(fraction * (len(ordered) - 1)), len(ordered) - 1)]


@contextmanager
def fresh_quotas():
    """Each measure starts with the platform's whole quota, as a new account would: the
    client-side rate-limit state (files under the temporary directory, shared by every
    process of the machine) is kept apart, in this process and in the server it starts."""
    rate_limit = addon_module("connector_base.lib.rate_limit")
    with tempfile.TemporaryDirectory() as directory:
        state = os.path.join(directory, os.path.basename(rate_limit.DEFAULT_DIRECTORY))
        with (
            patch.dict(os.environ, {"TMPDIR": directory}),
            patch.object(rate_limit, "DEFAULT_DIRECTORY", state),
        ):
            yield


def measure(registry, servers_module, platform_class, workers, changes, load_seconds):
    with fresh_quotas():
        return measure_once(registry, servers_module, platform_class, workers, changes, load_seconds)


def measure_once(registry, servers_module, platform_class, workers, changes, load_seconds):
    server = servers_module.OdooServer(registry.db_name, workers=workers).wait_ready()
    platform = None
    try:
        platform = platform_class(registry, server.url)
        wait_settled(registry, platform.backend)
        deadline = time.monotonic() + 60
        while not getattr(platform, "ready", lambda: True)():
            if time.monotonic() > deadline:
                raise RuntimeError(f"{platform.name}: webhooks not verified after 60 s")
            time.sleep(0.1)
        wait_settled(registry, platform.backend)
        items = platform.items()
        if len(items) < ITEMS:
            raise RuntimeError(f"{platform.name}: {len(items)} of {ITEMS} items imported")
        watcher = Watcher(registry, platform, [task_id for task_id, _item in items])
        watcher.start()
        try:
            idle = drive(platform, watcher, changes, 0, "idle")
            load = drive(platform, watcher, RATE * load_seconds, RATE, "load")
        finally:
            watcher.stopping.set()
            watcher.join()
    finally:
        # The server first: its runner must not work on the backend while it is removed.
        server.stop()
        if platform is not None:
            platform.remove()
    errors = server.error_lines()
    if not errors:
        server.remove_log()
    return idle, load, errors, server.log.name


def report(platform_class, mode, idle, load, errors, log_name, load_seconds):
    name, basis = platform_class.name, platform_class.delay_basis
    met = True
    print(f"  {name}, {mode} (platform's part: {basis})")
    for label, phase, target in (
        (f"idle, {idle['changes']} changes", idle, IDLE_TARGET),
        (f"{RATE}/s for {load_seconds} s", load, LOAD_TARGET),
    ):
        latencies, delays, odoo_parts = phase["latencies"], phase["platform_delays"], phase["odoo_parts"]
        p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
        judged = percentile(odoo_parts if platform_class.judged_from_call else latencies, 0.95)
        ok = judged <= target and not phase["lost"] and not phase["wrong_final"] and not phase["refused"]
        met &= ok
        held = "Odoo's part" if platform_class.judged_from_call else "the whole"
        print(
            f"    {label:22} p50 {p50:6.3f} s  p95 {p95:6.3f} s  (target p95 <= {target:.0f} s, on {held})"
            f"  lost {phase['lost']}  late {phase['late']}  overtaken {phase['overtaken']}"
            f"  wrong final name {phase['wrong_final']}"
            f"  {verdict(ok)}"
        )
        print(
            f"    {'':22} platform's part p50 {percentile(delays, 0.5):6.3f} s"
            f"  p95 {percentile(delays, 0.95):6.3f} s, Odoo's part (from its call) p50"
            f" {percentile(odoo_parts, 0.5):6.3f} s  p95 {percentile(odoo_parts, 0.95):6.3f} s"
            f" ({len(delays)} changes)"
        )
        print(
            f"    {'':22} API calls {phase['api_calls'] / phase['changes']:.2f}/change"
            f"  deliveries refused {phase['refused']}  load average {phase['load_average']:.1f}"
        )
        jobs, runs, run_p50, run_max, retried = phase["runs"]
        print(
            f"    {'':22} {jobs} webhook jobs in {runs} runs (handler p50 {run_p50:.3f} s,"
            f" max {run_max:.3f} s), {len(retried)} retried {sorted(set(filter(None, retried)))}"
        )
    drained = load["drained"]
    met &= drained <= DRAIN_TARGET
    print(
        f"    queue drained {drained:6.2f} s after the load (target <= {DRAIN_TARGET:.0f} s)"
        f" {verdict(drained <= DRAIN_TARGET)}"
    )
    if errors:
        met = False
        print(f"    {len(errors)} ERROR line(s) in {log_name}, first: {errors[0][:300]}")
    return met


def trello_sql_per_action(registry):
    """SQL queries the runner spends on one Trello action alone, and per action in a burst of
    BURST actions on as many cards (taken along together), in this process."""
    module = emulator_module("connector_trello")
    emulator = module.TrelloEmulator()
    board_id = module.generate_board(emulator, ITEMS, check_items=0, comments=0)
    emulator.start()
    backend_id = None
    try:
        with registry.cursor() as cr:
            env = env_for(cr)
            backend = env["trello.backend"].create(
                {
                    "name": "Bench latency Trello SQL",
                    "api_url": emulator.url("/1"),
                    "api_key": emulator.api_key,
                    "app_secret": emulator.app_secret,
                    "token": next(iter(emulator.tokens)),
                }
            )
            backend_id = backend.id
            env["trello.board"].create({"backend_id": backend.id, "board_id": board_id, "name": "Bench"})
            # No webhook here: its actions are handed to the backend as a poll hands them.
            env["connector.sync.job"].search(
                [
                    ("backend_model", "=", backend._name),
                    ("backend_id", "=", backend.id),
                    ("kind", "=", "webhook_setup"),
                ]
            ).action_cancel()
            cr.commit()
            env["connector.sync.job"]._run_due_jobs()
        cards = sorted(card_id for card_id, card in emulator.cards.items() if card["idBoard"] == board_id)
        figures = {}
        for label, count in (("alone", 1), ("burst", BURST)):
            emulator.reset()
            with registry.cursor() as cr:
                env = env_for(cr)
                backend = env["trello.backend"].browse(backend_id)
                for index, card_id in enumerate(cards[:count]):
                    emulator.update_card(card_id, name=f"SQL {label} {index}")
                    action = emulator.actions[-1]
                    backend._connector_accept_jobs(backend._trello_action_job_values([action]), action["id"])
                cr.commit()
                before, cpu_before = cr.sql_log_count, time.process_time()
                ran = env["connector.sync.job"]._run_due_jobs()
                # This process's CPU time (the emulator's included): the machine's load moves it little.
                cpu = (time.process_time() - cpu_before) / count
                figures[label] = ((cr.sql_log_count - before) / count, emulator.count() / count, cpu, ran)
    finally:
        emulator.stop()
        if backend_id:
            with registry.cursor() as cr:
                env = env_for(cr)
                backend = env["trello.backend"].browse(backend_id)
                projects = backend.board_ids.project_id
                backend.unlink()
                projects.with_context(active_test=False).unlink()
                cr.execute(
                    "DELETE FROM connector_sync_job WHERE backend_model = %s AND backend_id = %s",
                    ["trello.backend", backend_id],
                )
    print("  Trello, applying actions (in this process, load-independent)")
    for label, (queries, calls, cpu, ran) in figures.items():
        count = 1 if label == "alone" else BURST
        print(
            f"    {count:3} action(s) {label:5}  {queries:6.1f} SQL queries/action"
            f"  {calls:5.2f} API calls/action  {cpu * 1000:6.1f} ms CPU/action  {ran} job run(s)"
            f"  load average {os.getloadavg()[0]:.1f}"
        )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument(
        "--quick", action="store_true", help="10 idle changes, 5 s of load: checks the script"
    )
    parser.add_argument("--only", choices=["trello", "smartsheet", "podio"], help="measure one connector")
    parser.add_argument("--server", choices=["threaded", "prefork"], help="measure on one server mode")
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.database)
    changes, load_seconds = (10, 5) if args.quick else (CHANGES, LOAD_SECONDS)
    servers_module = odoo_servers()
    platforms = [TrelloPlatform, SmartsheetPlatform, PodioPlatform]
    if args.only:
        platforms = [platform for platform in platforms if platform.name.lower() == args.only]
    print(
        "change-to-Odoo latency: a rename on the emulator until the task's new name is committed"
        f"{' (reduced run)' if args.quick else ''}"
    )
    met = True
    for platform_class in platforms:
        if platform_class is TrelloPlatform:
            trello_sql_per_action(registry)
        for workers, mode in ((0, "threaded server"), (2, "prefork server, 2 workers")):
            if args.server and not mode.startswith(args.server):
                continue
            outcome = measure(registry, servers_module, platform_class, workers, changes, load_seconds)
            met &= report(platform_class, mode, *outcome, load_seconds)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
