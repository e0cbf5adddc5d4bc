"""Real Odoo server processes on one database: what several-server tests and benchmarks run.

Each is ``odoo-bin`` with the configuration of the process that
starts it, on a port of its own, logging to a file of its own.
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

import odoo
from odoo.tools import config

ERROR_LINE = re.compile(r"^\S+ \S+ \d+ (ERROR|CRITICAL) ")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def odoo_bin():
    """odoo-bin of the odoo package in use: the prefork server re-runs its own script
    for the long-polling process, which ``python -m odoo`` would not survive."""
    script = Path(odoo.__file__).resolve().parent.parent / "odoo-bin"
    return [sys.executable, str(script)] if script.exists() else [sys.executable, "-m", "odoo"]


class OdooServer:
    def __init__(self, database, *, workers=0, extra_args=()):
        self.database = database
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [
            *odoo_bin(),
            "-c",
            config.rcfile,
            "-d",
            database,
            "--http-port",
            str(self.port),
            "--max-cron-threads",
            "1",
            "--log-level",
            "warn",
            *extra_args,
        ]
        if workers:
            args += ["--workers", str(workers), "--gevent-port", str(free_port())]
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - kept as long as the server
            prefix="connector-odoo-server-", suffix=".log", delete=False
        )
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=os.environ)

    @property
    def pid(self):
        return self.process.pid

    def wait_ready(self, timeout=180):
        """Wait until the server answers a page of its database (its registry is loaded)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Odoo exited with code {self.process.returncode} (log: {self.log.name})")
            with contextlib.suppress(requests.RequestException):  # not listening yet
                if requests.get(f"{self.url}/web/login", timeout=30).status_code == 200:
                    return self
            time.sleep(0.3)
        raise RuntimeError(f"Odoo did not answer within {timeout} s (log: {self.log.name})")

    def stop(self, sig=signal.SIGTERM):
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.log.close()

    def error_lines(self):
        with open(self.log.name) as log:
            return [line.rstrip() for line in log if ERROR_LINE.match(line)]

    def remove_log(self):
        os.unlink(self.log.name)


def start_servers(database, count, **options):
    """Start ``count`` servers at once and return them when all answer."""
    servers = [OdooServer(database, **options) for _index in range(count)]
    try:
        for server in servers:
            server.wait_ready()
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return servers


@contextlib.contextmanager
def committed_env(registry):
    """An environment on a cursor of its own that commits: what server processes see."""
    with registry.cursor() as cr:
        yield odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})


def wait_until(condition, timeout, what):
    """Call ``condition`` until it returns something true (returned) or ``timeout`` s pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {timeout} s")
