"""The crash test of a platform create, on real server processes: see :class:`KilledCreateCase`."""

import signal
from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase
from odoo.tools import SQL

from .common import EmulatorRequestsMixin
from .odoo_servers import committed_env, start_servers, wait_until

# What the base keeps per backend, dependents first.
BACKEND_TABLES = (
    "connector_reconcile_difference",
    "connector_webhook_event",
    "connector_sync_job",
    "connector_external_binding",
    "connector_field_mapping",
    "connector_create_intent",
    "connector_poll_cursor",
    "connector_oauth_token",
    "connector_backend_pause",
)


class KilledCreateCase(EmulatorRequestsMixin, TransactionCase):
    """A server process is SIGKILLed while the platform holds the answer to its create call;
    the other server takes the job back: the record must end with one remote object and one
    binding.

    Real servers run on the test database, so everything they read is committed through
    :meth:`committed_env`; :meth:`keep_for_cleanup` names what to remove afterwards, with
    the backend's jobs, bindings and create intents. A subclass links its container in
    :meth:`setUp` (its set-up jobs run on the first server: :meth:`wait_for_backend_jobs`),
    then calls :meth:`start_second_server` before making the record to create.
    """

    def setUp(self):
        super().setUp()
        self.backend_ref = None
        self.kept = []
        self.addCleanup(self._remove_committed_data)
        # The set-up jobs run on one server (two would race on the container's first import).
        self.servers = start_servers(self.env.cr.dbname, 1)
        self.addCleanup(self._stop_servers)

    def committed_env(self):
        return committed_env(self.registry)

    def keep_for_cleanup(self, records):
        """Remove ``records`` (committed) after the test; the first one kept is the backend."""
        if self.backend_ref is None:
            self.backend_ref = (records._name, records.id)
        self.kept.append((records._name, records.ids))
        return records

    def backend_jobs(self, env):
        model, backend_id = self.backend_ref
        return env["connector.sync.job"].search(
            [("backend_model", "=", model), ("backend_id", "=", backend_id)]
        )

    def wait_for_backend_jobs(self, timeout=240):
        """Wait until the servers ran every job of the backend, retries included; each must be
        done. Jobs planned for later than the wait (an OAuth token's refresh, hours ahead) are
        not waited for."""
        later = fields.Datetime.now() + timedelta(seconds=timeout)

        def settled():
            with self.committed_env() as env:
                jobs = self.backend_jobs(env).filtered(
                    lambda job: not (job.state == "pending" and job.next_attempt_at > later)
                )
                return not jobs.filtered(lambda job: job.state in ("pending", "running")) and {
                    job.name: (job.state, job.error_message) for job in jobs
                }

        states = wait_until(settled, timeout, "the backend's jobs ran")
        self.assertEqual(
            {name: state for name, state in states.items() if state[0] != "done"},
            {},
            "every set-up job is done",
        )

    def start_second_server(self):
        """A second server on the database: either may claim the create job that follows."""
        self.servers += start_servers(self.env.cr.dbname, 1)

    def kill_the_server_holding(self, fault, job_domain, timeout=120):
        """Once ``fault`` holds the answer of the platform call, SIGKILL the server running the
        job of ``job_domain``; returns that job's id once the other server has run it again."""
        wait_until(fault.holding.is_set, timeout, "the create call reached the platform")

        def running_job():
            with self.committed_env() as env:
                job = env["connector.sync.job"].search([*job_domain, ("state", "=", "running")], limit=1)
                return job and (job.id, job.worker)

        job_id, worker = wait_until(running_job, 30, "the job is running")
        [victim] = [server for server in self.servers if (worker or "").endswith(f":{server.pid}")]
        victim.stop(signal.SIGKILL)
        self.survivors = [server for server in self.servers if server is not victim]

        def finished():
            with self.committed_env() as env:
                job = env["connector.sync.job"].browse(job_id)
                return job.state in ("done", "failed") and (job.state, job.attempts, job.error_message)

        state, attempts, error = wait_until(finished, timeout, "the other server ran the job again")
        self.assertEqual((state, error), ("done", False))
        self.assertEqual(attempts, 2, "the killed attempt counts")
        return job_id

    def kill_the_server_exporting(self, fault):
        """:meth:`kill_the_server_holding` for the backend's export job that ``fault`` holds."""
        model, backend_id = self.backend_ref
        return self.kill_the_server_holding(
            fault, [("backend_model", "=", model), ("backend_id", "=", backend_id), ("kind", "=", "export")]
        )

    def assert_created_once(self, res_model, res_id, external_id):
        """The record has one binding, to the platform object ``external_id``; its create
        intent is gone and no surviving server logged an ERROR line."""
        model, backend_id = self.backend_ref
        with self.committed_env() as env:
            bindings = env["connector.external.binding"].search(
                [
                    ("backend_model", "=", model),
                    ("backend_id", "=", backend_id),
                    ("res_model", "=", res_model),
                    ("res_id", "=", res_id),
                ]
            )
            self.assertEqual(bindings.mapped("external_id"), [external_id], "one binding, to that object")
        self.assert_intent_forgotten(res_model, res_id)
        self.assert_no_error_logged()

    def assert_intent_forgotten(self, res_model, res_id):
        """The create intent goes once the binding is committed (deleted just after the commit)."""

        def forgotten():
            with self.committed_env() as env:
                return not env["connector.create.intent"].search_count(
                    [("res_model", "=", res_model), ("res_id", "=", res_id)]
                )

        wait_until(forgotten, 30, "the create intent was forgotten")

    def assert_no_error_logged(self):
        for server in self.survivors:
            self.assertEqual(server.error_lines(), [], f"errors in {server.log.name}")

    def _stop_servers(self):
        for server in self.servers:
            server.stop()
            if not server.error_lines():
                server.remove_log()

    def _remove_committed_data(self):
        if self.backend_ref is None:
            return
        model, backend_id = self.backend_ref
        with self.committed_env() as env:
            for records_model, ids in reversed(self.kept[1:]):
                env[records_model].with_context(active_test=False).browse(ids).exists().unlink()
            where = SQL("backend_model = %s AND backend_id = %s", model, backend_id)
            env.cr.execute(
                SQL(
                    "DELETE FROM connector_sync_conflict WHERE binding_id IN"
                    " (SELECT id FROM connector_external_binding WHERE %s)",
                    where,
                )
            )
            for table in BACKEND_TABLES:
                env.cr.execute(SQL("DELETE FROM %s WHERE %s", SQL.identifier(table), where))
            env[model].browse(backend_id).exists().unlink()
            env.cr.execute(SQL("DELETE FROM connector_sync_job WHERE %s", where))
