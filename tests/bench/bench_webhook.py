#!/usr/bin/env python3
"""Benchmark webhook intake on a running Odoo (run through `make bench`).

Starts Odoo on the bench database and drives, from a few client threads, the
same number of requests at a trivial public route (``/connector/test/ping``,
what any Odoo request costs) and at the webhook route of a test backend:
signed deliveries with distinct event ids, each read, verified, deduplicated
and stored as a job. Prints both rates and their ratio (target: intake >= 0.9x
the trivial route). The routes take turns in chunks of 100 requests and the
verdict is the median of the chunk pairs' ratios, so load from other
processes, which drifts within seconds, weighs on both sides of each ratio.
A burst of a round's deliveries first counts the 429s of the default budget.
"""

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from benchlib import emulator_module

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tools import config

BACKEND_MODEL = "test.connector.oauth.backend"
WEBHOOK_SECRET = "bench-webhook-secret"
PING = "/connector/test/ping"
TARGET = 0.9
WARM_UP = 100
# Requests of each route in a row before the other's turn.
CHUNK = 100


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_odoo(config_path, database, port, log):
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "odoo",
            "-c",
            config_path,
            "-d",
            database,
            "--http-port",
            str(port),
            # No job runner competing with the requests being measured.
            "--max-cron-threads",
            "0",
            "--log-level",
            "warn",
        ],
        env=os.environ,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(
                f"Odoo exited with code {server.returncode} before answering (log: {log.name})"
            )
        try:
            if requests.get(f"http://127.0.0.1:{port}/web/login", timeout=10).status_code == 200:
                return server
        except requests.RequestException:
            pass  # not listening yet, or still loading its registry
        time.sleep(0.5)
    server.terminate()
    raise RuntimeError(f"Odoo did not answer /web/login within 120 s (log: {log.name})")


def drive(requests_to_send, threads):
    """Send (url, body, headers) tuples from ``threads`` sessions; returns (seconds, bad answers,
    429 answers)."""
    shares = [requests_to_send[index::threads] for index in range(threads)]

    def send_share(share):
        bad = limited = 0
        with requests.Session() as session:
            for url, body, headers in share:
                if body is None:
                    response = session.get(url, timeout=30)
                else:
                    response = session.post(url, data=body, headers=headers, timeout=30)
                bad += response.status_code != 200 or response.text not in ("ok", "accepted")
                limited += response.status_code == 429
        return bad, limited

    with ThreadPoolExecutor(threads) as pool:
        started = time.perf_counter()
        outcomes = list(pool.map(send_share, shares))
        seconds = time.perf_counter() - started
    return seconds, sum(bad for bad, _limited in outcomes), sum(limited for _bad, limited in outcomes)


def create_backend(registry, base_url):
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        backend = env[BACKEND_MODEL].create(
            {"name": "Bench webhook", "webhook_secret": WEBHOOK_SECRET, "public_base_url": base_url}
        )
        return backend.id, backend.webhook_url


def remove_backend(registry, backend_id):
    """Delete what the run stored; return how many jobs the deliveries had created."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        domain = [("backend_model", "=", BACKEND_MODEL), ("backend_id", "=", backend_id)]
        jobs = env["connector.sync.job"].search(domain)
        stored = len(jobs)
        jobs.unlink()
        env["connector.webhook.event"].search(domain).unlink()
        env[BACKEND_MODEL].browse(backend_id).unlink()
        return stored


def signed_deliveries(webhook_url):
    """A function making ``count`` signed deliveries, each with an event id never sent before."""
    sign = emulator_module("connector_base").hmac_sha1_base64_body_and_url(WEBHOOK_SECRET)
    counter = iter(range(10**9))

    def make(count):
        batch = []
        for _index in range(count):
            body = json.dumps({"id": f"bench-{next(counter)}", "action": {"type": "updateCard"}}).encode()
            headers = {"Content-Type": "application/json", "X-Test-Webhook": sign(body, webhook_url)}
            batch.append((webhook_url, body, headers))
        return batch

    return make


def measure(args, base_url, deliveries):
    """Median req/s of each route and median ratio over the chunk pairs, the count of bad
    answers, and the 429 answers of one burst of ``args.requests`` deliveries."""
    ping_url = base_url + PING
    # One thread first: Odoo's first requests load manifests, which Python 3.11 cannot do in parallel.
    drive([(ping_url, None, None)] * WARM_UP, 1)
    drive(deliveries(WARM_UP), 1)
    _seconds, bad, limited = drive(deliveries(args.requests), args.threads)
    pings = [(ping_url, None, None)] * CHUNK
    ping_rates, webhook_rates = [], []
    for index in range(args.rounds * args.requests // CHUNK):
        sides = [(ping_rates, pings), (webhook_rates, deliveries(CHUNK))]
        # Either route goes first in turn: neither always runs right after the other.
        for rates, batch in sides if index % 2 else reversed(sides):
            seconds, failed, _refused = drive(batch, args.threads)
            rates.append(CHUNK / seconds)
            bad += failed
    ratios = sorted(webhook / ping for ping, webhook in zip(ping_rates, webhook_rates, strict=True))
    quartiles = statistics.quantiles(ratios, n=4)
    print(f"  chunk ratios: quartiles {quartiles[0]:.2f}x, {quartiles[1]:.2f}x, {quartiles[2]:.2f}x")
    return (
        statistics.median(ping_rates),
        statistics.median(webhook_rates),
        statistics.median(ratios),
        bad,
        limited,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("-n", "--requests", type=int, default=1000, help="per route and round")
    parser.add_argument("-r", "--rounds", type=int, default=9)
    parser.add_argument("-t", "--threads", type=int, default=4)
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.database)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"

    backend_id, webhook_url = create_backend(registry, base_url)
    # Stopped by a timeout, the script still stops its server (finally blocks run on SystemExit).
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(1))
    with tempfile.NamedTemporaryFile(prefix="bench-webhook-odoo-", suffix=".log", delete=False) as log:
        try:
            server = start_odoo(args.config, args.database, port, log)
            try:
                ping_rate, webhook_rate, ratio, bad, limited = measure(
                    args, base_url, signed_deliveries(webhook_url)
                )
            finally:
                server.terminate()
                server.wait(timeout=60)
        finally:
            stored = remove_backend(registry, backend_id)

    expected = (args.rounds + 1) * args.requests + WARM_UP
    met = ratio >= TARGET and not bad and stored == expected
    print(
        f"webhook intake: {args.rounds} rounds of {args.requests} requests per route "
        f"from {args.threads} threads, in chunks of {CHUNK} taking turns (medians)"
    )
    print(f"  trivial public route {ping_rate:10.0f} req/s")
    print(f"  signed webhook       {webhook_rate:10.0f} req/s  ({stored} jobs stored of {expected} sent)")
    print(f"  ratio                {ratio:10.2f}x   (target >= {TARGET:.2f}x) {'OK' if met else 'MISSED'}")
    print(
        f"  a burst of {args.requests} signed deliveries first, under the default "
        f"budget: {limited} answered 429"
    )
    if bad:
        print(f"  {bad} request(s) were not answered 200; Odoo's log: {log.name}")
    else:
        os.unlink(log.name)
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
