import json
import os
import signal
import threading
import time

import requests

from odoo.tests import tagged

from odoo.addons.connector_base.tests.common import ConnectorCase
from odoo.addons.connector_base.tests.emulator import hmac_sha1_base64_body_and_url
from odoo.addons.connector_base.tests.odoo_servers import start_servers
from odoo.addons.test_connector_base.models.test_connector_oauth_backend import SLOW_INTAKE_LOCK

JOBS = 40
WEBHOOK_SECRET = "whsec-stop-0123456789"


# The servers load the registry of the committed database: at install time the
# test addon is not installed there yet.
@tagged("post_install", "-at_install")
class TestRunnerOnSeveralServers(ConnectorCase):
    """Two real Odoo server processes on the test database share its queue.

    The tests run in name order: the second kills one of the servers.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.servers = start_servers(cls.env.cr.dbname, 2)
        cls.addClassCleanup(cls.stop_servers)

    @classmethod
    def stop_servers(cls):
        for server in cls.servers:
            server.stop()

    def wait_for(self, job_ids, states, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = {row["state"] for row in self.read_jobs(job_ids, ["state"]).values()}
            if found <= set(states):
                return
            time.sleep(0.2)
        self.fail(f"jobs still {sorted(found)} after {timeout} s, not {states}")

    def executions(self, job_ids):
        with self.committed_env() as env:
            return [
                (execution.job_id.id, execution.pid)
                for execution in env["test.connector.execution"].search([("job_id", "in", job_ids)])
            ]

    def assert_no_error_logged(self, servers):
        for server in servers:
            self.assertEqual(server.error_lines(), [], f"errors in {server.log.name}")

    def test_jobs_of_one_serial_key_run_one_after_the_other_on_two_servers(self):
        backend_id = self.make_committed_backend()
        # Both write the backend's row: run at once, the second would fail on a concurrent update.
        job_ids = self.enqueue_committed(
            backend_id, "_job_write_backend_then_wait", count=2, payload={"seconds": 2}, serial_key="board"
        )
        self.wait_for(job_ids, ["done"])

        rows = self.read_jobs(job_ids, ["attempts", "started_at", "finished_at"])
        self.assertEqual([rows[job_id]["attempts"] for job_id in job_ids], [1, 1], "neither was retried")
        first, second = sorted(rows.values(), key=lambda row: row["started_at"])
        self.assertGreaterEqual(second["started_at"], first["finished_at"], "the second waited for the first")
        self.assertEqual(sorted(job_id for job_id, _pid in self.executions(job_ids)), sorted(job_ids))
        self.assert_no_error_logged(self.servers)

    def test_two_servers_run_every_job_exactly_once_and_both_run_some(self):
        backend_id = self.make_committed_backend()
        # Enqueued once both runners listen: each wakes at the commit.
        job_ids = self.enqueue_committed(backend_id, "_job_wait_on_platform", count=JOBS)
        self.wait_for(job_ids, ["done"])

        executions = self.executions(job_ids)
        self.assertEqual(sorted(job_id for job_id, _pid in executions), sorted(job_ids), "each ran once")
        pids = [pid for _job_id, pid in executions]
        for server in self.servers:
            self.assertIn(server.pid, pids, f"server {server.pid} ran none of the {JOBS} jobs")
        self.assertEqual(set(pids), {server.pid for server in self.servers}, "only the two servers ran jobs")
        self.assertEqual({row["attempts"] for row in self.read_jobs(job_ids, ["attempts"]).values()}, {1})
        self.assert_no_error_logged(self.servers)

    def test_when_a_server_is_killed_the_other_runs_its_job_again_within_a_minute(self):
        backend_id = self.make_committed_backend()
        [job_id] = self.enqueue_committed(backend_id, "_job_wait_on_platform", payload={"seconds": 15})
        self.wait_for([job_id], ["running"], timeout=30)
        worker = self.worker_of(job_id)
        [victim] = [server for server in self.servers if worker.endswith(f":{server.pid}")]
        [survivor] = [server for server in self.servers if server is not victim]

        victim.stop(signal.SIGKILL)
        killed_at = time.monotonic()
        while self.worker_of(job_id) == worker and time.monotonic() - killed_at < 60:
            time.sleep(0.2)
        taken_back_after = time.monotonic() - killed_at
        self.assertLess(taken_back_after, 60, "the survivor took the job back within a minute")
        self.assertTrue(self.worker_of(job_id).endswith(f":{survivor.pid}"))
        self.wait_for([job_id], ["done"], timeout=60)

        row = self.read_jobs([job_id], ["attempts"])[job_id]
        self.assertEqual(row["attempts"], 2, "the killed attempt counts")
        self.assertEqual(self.executions([job_id]), [(job_id, survivor.pid)], "the killed run left nothing")
        self.assert_no_error_logged([survivor])

    def worker_of(self, job_id):
        with self.committed_env() as env:
            return env["connector.sync.job"].browse(job_id).worker


@tagged("post_install", "-at_install")
class TestRunnerServerStop(ConnectorCase):
    """A real Odoo server process stopped as a service manager stops it (SIGTERM)."""

    def test_a_server_stopped_mid_job_finishes_the_job_and_logs_no_error(self):
        [server] = start_servers(self.env.cr.dbname, 1)
        self.addCleanup(server.stop)
        backend_id = self.make_committed_backend()
        [job_id] = self.enqueue_committed(backend_id, "_job_wait_on_platform", payload={"seconds": 3})
        deadline = time.monotonic() + 60
        while self.read_jobs([job_id], ["state"])[job_id]["state"] != "running":
            self.assertLess(time.monotonic(), deadline, "the server's runner took the job")
            time.sleep(0.1)

        server.stop(signal.SIGTERM)

        self.assertEqual(server.process.returncode, 0, "the server stopped by itself, not killed")
        row = self.read_jobs([job_id], ["state", "attempts"])[job_id]
        self.assertEqual((row["state"], row["attempts"]), ("done", 1), "the job in flight was finished")
        with self.committed_env() as env:
            runs = env["test.connector.execution"].search_count([("job_id", "=", job_id)])
        self.assertEqual(runs, 1)
        self.assertEqual(server.error_lines(), [], f"errors in {server.log.name}")

    def test_a_delivery_in_flight_when_the_server_stops_is_stored_and_answered(self):
        """A delivery the server took before its stop outlasts the job the stop waits for:
        it is still stored and answered before the server closes its connections."""
        [server] = start_servers(self.env.cr.dbname, 1)
        self.addCleanup(server.stop)
        backend_id = self.make_committed_backend()
        intake_id = self.make_committed_intake_backend(server.url)
        [job_id] = self.enqueue_committed(backend_id, "_job_wait_on_platform", payload={"seconds": 2})
        self.wait_for_state(job_id, "running")
        answers = []
        event = {"id": "evt-in-flight", "intake_seconds": 4}
        sender = threading.Thread(target=lambda: answers.append(self.deliver(server.url, intake_id, event)))
        sender.start()
        self.wait_for_slow_intake(intake_id)

        server.stop(signal.SIGTERM)
        sender.join(60)

        self.assertEqual(server.process.returncode, 0, "the server stopped by itself, not killed")
        self.assertEqual([(answer.status_code, answer.text) for answer in answers], [(200, "accepted")])
        with self.committed_env() as env:
            stored = env["connector.sync.job"].search(
                [("backend_model", "=", "test.connector.oauth.backend"), ("backend_id", "=", intake_id)]
            )
            self.assertEqual(stored.mapped("payload"), [event])
        self.assertEqual(self.read_jobs([job_id], ["state"])[job_id]["state"], "done")
        self.assertEqual(server.error_lines(), [], f"errors in {server.log.name}")

    def make_committed_intake_backend(self, public_base_url):
        with self.committed_env() as env:
            backend = env["test.connector.oauth.backend"].create(
                {
                    "name": "Stopped intake",
                    "webhook_secret": WEBHOOK_SECRET,
                    "public_base_url": public_base_url,
                }
            )
        self.addCleanup(self.remove_committed_intake_backend, backend.id)
        return backend.id

    def remove_committed_intake_backend(self, backend_id):
        with self.committed_env() as env:
            domain = [("backend_model", "=", "test.connector.oauth.backend"), ("backend_id", "=", backend_id)]
            env["connector.sync.job"].search(domain).unlink()
            env["connector.webhook.event"].search(domain).unlink()
            env["test.connector.oauth.backend"].browse(backend_id).unlink()

    def deliver(self, base_url, backend_id, event):
        url = f"{base_url}/connector/test/webhook/{backend_id}"
        raw = json.dumps(event).encode()
        signature = hmac_sha1_base64_body_and_url(WEBHOOK_SECRET)(raw, url)
        headers = {"Content-Type": "application/json", "X-Test-Webhook": signature}
        return requests.post(url, data=raw, headers=headers, timeout=60)

    def wait_for_state(self, job_id, state, timeout=60):
        deadline = time.monotonic() + timeout
        while self.read_jobs([job_id], ["state"])[job_id]["state"] != state:
            self.assertLess(time.monotonic(), deadline, f"job {job_id} {state} within {timeout} s")
            time.sleep(0.1)

    def wait_for_slow_intake(self, backend_id, timeout=60):
        """Wait until a delivery to ``backend_id`` is in its slow intake (it holds the lock)."""
        deadline = time.monotonic() + timeout
        while True:
            with self.committed_env() as env:
                env.cr.execute(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND classid = %s::oid AND objid = %s::oid AND objsubid = 2",
                    [SLOW_INTAKE_LOCK, backend_id],
                )
                if env.cr.fetchone()[0]:
                    return
            self.assertLess(
                time.monotonic(), deadline, f"a delivery to backend {backend_id} within {timeout} s"
            )
            time.sleep(0.05)


def can_lower_niceness():
    """Whether this system lets a process lower a thread's niceness (tried on a thread of
    its own, raised first), as a server's cron worker started by it would."""
    allowed = []

    def probe():
        thread_id = threading.get_native_id()
        base = os.getpriority(os.PRIO_PROCESS, thread_id)
        os.setpriority(os.PRIO_PROCESS, thread_id, base + 1)
        try:
            os.setpriority(os.PRIO_PROCESS, thread_id, base)
        except PermissionError:
            allowed.append(False)
        else:
            allowed.append(True)

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join()
    return allowed[0]


@tagged("post_install", "-at_install")
class TestRunnerInPreforkServer(ConnectorCase):
    """A real prefork Odoo server (two HTTP workers, one cron worker).

    The tests run in name order: the first must meet a cron worker nothing woke yet.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        [cls.server] = start_servers(cls.env.cr.dbname, 1, workers=2)
        cls.addClassCleanup(cls.server.stop)

    def wait_done(self, job_id, timeout):
        deadline = time.monotonic() + timeout
        while self.read_jobs([job_id], ["state"])[job_id]["state"] != "done":
            self.assertLess(
                time.monotonic(), deadline, f"the cron worker's runner ran the job within {timeout} s"
            )
            time.sleep(0.1)

    def test_a_job_queued_without_waking_anyone_runs_within_seconds_of_the_start(self):
        backend_id = self.make_committed_backend()
        # Stored as another program would: no notification, no cron trigger. The cron
        # worker's own first look comes a minute after its start; the runner's, seconds.
        with self.committed_env() as env:
            env.cr.execute(
                """
                INSERT INTO connector_sync_job (name, kind, method_name, backend_model, backend_id,
                                                state, attempts, max_attempts, priority,
                                                next_attempt_at, enqueued_at)
                VALUES ('Queued quietly', 'import', '_job_record_execution', 'test.connector.backend', %s,
                        'pending', 0, 5, 10, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
                RETURNING id
                """,
                [backend_id],
            )
            [job_id] = env.cr.fetchone()

        self.wait_done(job_id, timeout=30)

    def test_its_cron_worker_runs_jobs_at_the_server_niceness_where_the_system_allows(self):
        backend_id = self.make_committed_backend()

        [job_id] = self.enqueue_committed(backend_id, "_job_record_execution")

        self.wait_done(job_id, timeout=60)
        with self.committed_env() as env:
            execution = env["test.connector.execution"].search([("job_id", "=", job_id)])
            pid, niceness = execution.pid, execution.niceness
        self.assertNotEqual(pid, self.server.pid, "a worker ran it, not the master")
        server_niceness = os.getpriority(os.PRIO_PROCESS, self.server.pid)
        # Odoo nices its cron workers by 10; without the privilege the thread keeps that.
        expected = server_niceness if can_lower_niceness() else server_niceness + 10
        self.assertEqual(niceness, expected)
        self.assertEqual(self.server.error_lines(), [], f"errors in {self.server.log.name}")
