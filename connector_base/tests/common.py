import tempfile
import traceback
from contextlib import contextmanager
from unittest.mock import patch

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import TransactionCase
from odoo.tools import SQL

from ..controllers.webhook import WebhookIntake
from ..lib import rate_limit
from ..lib.errors import NetworkError


def table_counts(env, tables):
    """{table: row count} after flushing: what a dry run (an import preview) must leave as it was."""
    env.flush_all()
    counts = {}
    for table in tables:
        env.cr.execute(SQL("SELECT count(*) FROM %s", SQL.identifier(table)))
        counts[table] = env.cr.fetchone()[0]
    return counts


class EmulatorRequestsMixin:
    """Lets the connector HTTP clients reach the local emulators from an Odoo test.

    Odoo's test harness intercepts ``requests`` and compares the timeout with a
    number; the HTTP client base sends a (connect, read) pair.
    """

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        if isinstance(kw.get("timeout"), tuple):
            kw["timeout"] = max(kw["timeout"])
        return super()._request_handler(s, r, **kw)

    def start_emulator(self, emulator):
        """Serve ``emulator`` for this test: started now, stopped after it; returns it."""
        emulator.start()
        self.addCleanup(emulator.stop)
        return emulator


# Past the read timeout of the clients below: Odoo's test harness raises any timeout under
# 10 s to 10 s, so a platform answer held this long is lost to them.
LOST_ANSWER_HOLD = 11


def call_losing_its_answer(call, backend, client_factory):
    """Run ``call()`` with the clients that ``backend``'s method named ``client_factory``
    builds giving up reading after one second (the emulator holding the platform's answer
    ``LOST_ANSWER_HOLD`` seconds, after applying the call): the ``NetworkError`` raised, or
    None when the call did not fail.

    Not ``assertRaises``: Odoo's rolls the failed work back, create intents included, which
    a real worker's own transaction for the intents would have kept."""
    Backend = type(backend)
    make_client = getattr(Backend, client_factory)

    def impatient_client(record):
        client = make_client(record)
        client.timeout = (1.0, 1.0)
        return client

    backend.env.flush_all()
    with patch.object(Backend, client_factory, impatient_client):
        try:
            call()
        except NetworkError as error:
            return error
    return None


class PrivateRateLimitsMixin:
    """Rate-limit buckets of each test's own, for the platform clients and the webhook
    intake: quotas another test or an earlier run spent on the same ids must not count."""

    def setUp(self):
        super().setUp()
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        for patcher in (
            patch.object(rate_limit, "DEFAULT_DIRECTORY", directory.name),
            patch.object(WebhookIntake, "rate_limit_directory", directory.name),
        ):
            patcher.start()
            self.addCleanup(patcher.stop)


def run_jobs(backend, limit=200):
    """Run ``backend``'s due jobs one at a time as the runner does (claim, handler in a
    savepoint, done or failed with its retry), and stop when the backend is paused, as the
    runner leaves a paused backend's jobs waiting. They run in the test's transaction: the
    runner's own claim sets the isolation level, which only the first statement of a
    transaction may do. Returns the jobs that ran."""
    env = backend.env
    Job = env["connector.sync.job"]
    ran = Job
    for _attempt in range(limit):
        env.flush_all()
        backend.invalidate_recordset(["paused"])
        if backend.paused:
            break
        job = Job.search(
            [
                ("backend_model", "=", backend._name),
                ("backend_id", "=", backend.id),
                ("state", "=", "pending"),
                ("next_attempt_at", "<=", fields.Datetime.now()),
            ],
            order="priority, next_attempt_at, id",
            limit=1,
        )
        if not job:
            break
        job.write({"state": "running", "attempts": job.attempts + 1})
        try:
            with env.cr.savepoint():
                result = job._call_handler(
                    job.method_name, job.backend_model, job.backend_id, job.company_id.id
                )
        except Exception as error:  # noqa: BLE001 - recorded on the job, as the runner does
            env.invalidate_all()  # the savepoint's rollback left the cache behind
            job._mark_failed(error, traceback.format_exc(), 0.0)
        else:
            job._mark_done(result or {}, 0.0)
        ran |= job
    env.invalidate_all()
    return ran


class RunJobsMixin:
    """``run_jobs``: a connector test runs the due jobs of ``self.backend`` as the runner would;
    ``jobs(**values)``: that backend's jobs with those field values."""

    def run_jobs(self, limit=200):
        return run_jobs(self.backend, limit)

    def jobs(self, **domain):
        return self.env["connector.sync.job"].search(
            [
                ("backend_model", "=", self.backend._name),
                ("backend_id", "=", self.backend.id),
                *[(key, "=", value) for key, value in domain.items()],
            ]
        )


class ConnectorCase(TransactionCase):
    """Helpers for connector tests.

    ``committed_env`` opens a real, separate transaction that commits: what the
    job runner needs (it commits per job) and what concurrency tests need (two
    cursors). Everything created through it is removed again after the test.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Job = cls.env["connector.sync.job"]
        cls.backend = cls.env["test.connector.backend"].create({"name": "Test backend"})

    def setUp(self):
        super().setUp()
        self._committed_backend_ids = []
        self.addCleanup(self._remove_committed_data)

    @contextmanager
    def committed_env(self):
        with self.registry.cursor() as cr:
            yield api.Environment(cr, SUPERUSER_ID, {})

    def make_committed_backend(self, name="Committed backend"):
        with self.committed_env() as env:
            backend_id = env["test.connector.backend"].create({"name": name}).id
        self._committed_backend_ids.append(backend_id)
        return backend_id

    def enqueue_committed(self, backend_id, method_name, count=1, **options):
        with self.committed_env() as env:
            backend = env["test.connector.backend"].browse(backend_id)
            jobs = env["connector.sync.job"]
            for _index in range(count):
                jobs |= backend._connector_enqueue(method_name, **options)
            return jobs.ids

    def read_jobs(self, job_ids, fields=("state", "attempts", "next_attempt_at", "error_message")):
        with self.committed_env() as env:
            return {row["id"]: row for row in env["connector.sync.job"].browse(job_ids).read(list(fields))}

    def run_committed(self, **options):
        with self.committed_env() as env:
            return env["connector.sync.job"]._run_due_jobs(**options)

    def _remove_committed_data(self):
        if not self._committed_backend_ids:
            return
        with self.committed_env() as env:
            domain = [
                ("backend_model", "=", "test.connector.backend"),
                ("backend_id", "in", self._committed_backend_ids),
            ]
            env["connector.sync.job"].search(domain).unlink()
            env["connector.backend.pause"].search(domain).unlink()
            env["test.connector.backend"].browse(self._committed_backend_ids).exists().unlink()
