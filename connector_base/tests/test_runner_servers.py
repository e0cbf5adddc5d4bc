import time

from .common import ConnectorCase
from .odoo_servers import start_servers

JOBS = 40


class TestRunnerOnSeveralServers(ConnectorCase):
    """Two real Odoo server processes on the test database share its queue."""

    def wait_until_done(self, job_ids, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.committed_env() as env:
                states = env["connector.sync.job"].browse(job_ids).mapped("state")
            if set(states) == {"done"}:
                return
            time.sleep(0.2)
        self.fail(f"jobs not done after {timeout} s: {sorted(set(states))}")

    def test_two_servers_run_every_job_exactly_once_and_both_run_some(self):
        backend_id = self.make_committed_backend()
        servers = start_servers(self.env.cr.dbname, 2)
        try:
            # Enqueued once both runners listen: each wakes at the commit.
            job_ids = self.enqueue_committed(backend_id, "_job_wait_on_platform", count=JOBS)
            self.wait_until_done(job_ids)
        finally:
            for server in servers:
                server.stop()
        with self.committed_env() as env:
            executions = env["test.connector.execution"].search([("job_id", "in", job_ids)])
            runs = dict.fromkeys(job_ids, 0)
            for execution in executions:
                runs[execution.job_id.id] += 1
            self.assertEqual(set(runs.values()), {1}, "every job ran exactly once")
            by_server = {
                server.pid: executions.filtered(lambda e, pid=server.pid: e.pid == pid) for server in servers
            }
            self.assertEqual(
                sum(len(found) for found in by_server.values()), JOBS, "only the two servers ran jobs"
            )
            for pid, found in by_server.items():
                self.assertTrue(found, f"server {pid} ran none of the {JOBS} jobs")
            jobs = env["connector.sync.job"].browse(job_ids)
            self.assertEqual(set(jobs.mapped("attempts")), {1})
        for server in servers:
            self.assertEqual(server.error_lines(), [], f"errors in {server.log.name}")
            server.remove_log()
