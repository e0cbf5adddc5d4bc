#!/usr/bin/env python3
"""Benchmark the job runners of several Odoo servers on one database (run by `make bench`).

Real server processes (``odoo-bin``, threaded, one runner thread each) run jobs that
each wait 100 ms on the platform. Each round enqueues JOBS such jobs with one server
running, then JOBS more with two, and times each batch from its commit to its last
job done. Prints the throughput of one and two servers (medians of the rounds), the
median of the rounds' ratios (target: two servers at least 1.7x one), how many times
each job ran (target: every job exactly once) and how many jobs each server ran.
"""

import collections
import statistics
import time

from benchlib import env_for, odoo_servers, open_registry, verdict

JOBS = 60
ROUNDS = 3
WAIT_SECONDS = 0.1
TARGET = 1.7


def enqueue_and_time(registry, backend_id, label):
    """Enqueue JOBS waiting jobs in one transaction; seconds from its commit to all done."""
    with registry.cursor() as cr:
        backend = env_for(cr)["test.connector.backend"].browse(backend_id)
        jobs = backend._connector_enqueue("_job_wait_on_platform", {"seconds": WAIT_SECONDS})
        for _index in range(JOBS - 1):
            jobs |= backend._connector_enqueue("_job_wait_on_platform", {"seconds": WAIT_SECONDS})
        job_ids = jobs.ids
        cr.commit()
        started = time.perf_counter()
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            cr.execute(
                "SELECT count(*) FROM connector_sync_job WHERE id = ANY(%s) AND state = 'done'", [job_ids]
            )
            if cr.fetchone()[0] == len(job_ids):
                return job_ids, time.perf_counter() - started
            cr.rollback()
            time.sleep(0.02)
    raise RuntimeError(f"{label}: jobs still not done after 300 s")


def main():
    registry = open_registry(__doc__)
    OdooServer = odoo_servers().OdooServer
    database = registry.db_name
    with registry.cursor() as cr:
        backend_id = env_for(cr)["test.connector.backend"].create({"name": "Bench runners"}).id
    servers = []
    rounds, all_jobs = [], []
    try:
        first = OdooServer(database).wait_ready()
        servers.append(first)
        for _round in range(ROUNDS):
            job_ids, one_seconds = enqueue_and_time(registry, backend_id, "one server")
            all_jobs += job_ids
            second = OdooServer(database).wait_ready()
            servers.append(second)
            job_ids, two_seconds = enqueue_and_time(registry, backend_id, "two servers")
            all_jobs += job_ids
            second.stop()
            rounds.append((JOBS / one_seconds, JOBS / two_seconds))
    finally:
        for server in servers:
            server.stop()
    with registry.cursor() as cr:
        cr.execute(
            """
            SELECT job.id, count(execution.id), array_agg(DISTINCT execution.pid)
              FROM connector_sync_job job
              LEFT JOIN test_connector_execution execution ON execution.job_id = job.id
             WHERE job.id = ANY(%s)
             GROUP BY job.id
            """,
            [all_jobs],
        )
        runs = {job_id: (count, pids) for job_id, count, pids in cr.fetchall()}
        env = env_for(cr)
        env["connector.sync.job"].browse(all_jobs).unlink()
        env["test.connector.backend"].browse(backend_id).unlink()
    errors = [line for server in servers for line in server.error_lines()]

    ratios = [two / one for one, two in rounds]
    ratio = statistics.median(ratios)
    run_counts = collections.Counter(count for count, _pids in runs.values())
    by_server = collections.Counter(pid for count, pids in runs.values() if count for pid in pids if pid)
    exactly_once = set(run_counts) == {1} and len(runs) == len(all_jobs)
    met = ratio >= TARGET and exactly_once and not errors
    print(
        f"job runners on real servers: {ROUNDS} rounds of {JOBS} jobs waiting {WAIT_SECONDS * 1000:.0f} ms "
        "on the platform, one runner thread per server (medians)"
    )
    print(f"  one server       {statistics.median(one for one, _two in rounds):10.1f} jobs/s")
    print(f"  two servers      {statistics.median(two for _one, two in rounds):10.1f} jobs/s")
    print(f"  rounds           {', '.join(f'{value:.2f}x' for value in ratios)}")
    print(f"  speed-up         {ratio:10.2f}x   (target >= {TARGET:.2f}x) {verdict(ratio >= TARGET)}")
    print(
        "  runs per job     "
        + ", ".join(f"{jobs} job(s) ran {count} time(s)" for count, jobs in sorted(run_counts.items()))
        + f" {verdict(exactly_once)}"
    )
    print(f"  jobs per server  {', '.join(f'pid {pid}: {jobs}' for pid, jobs in sorted(by_server.items()))}")
    if errors:
        print(f"  {len(errors)} ERROR line(s) in the servers' logs, first: {errors[0][:300]}")
    else:
        for server in servers:
            server.remove_log()
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
