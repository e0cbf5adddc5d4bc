"""Runner threads: every Odoo server process serving a database runs its sync jobs.

Each thread LISTENs on :data:`CHANNEL` (the enqueue NOTIFYs it right after its
commit, so a thread wakes as soon as the job is visible), claims due jobs with the
``FOR UPDATE SKIP LOCKED`` claim of ``connector.sync.job`` and runs each in its own
transaction. Threads of several servers never run a job twice: the claim decides.

Where threads start (``wanted_in_this_process``):
- threaded server (``odoo-bin`` without ``--workers``): in the serving process, when
  the database's registry loads;
- prefork (``--workers N``): in each cron worker, which Odoo already dedicates to
  background work; HTTP workers never run jobs (their CPU limit is per request);
- nowhere else: not in ``odoo-bin shell`` or Odoo's other one-off commands (only
  ``server`` and ``start`` serve), an install or update with ``--stop-after-init``,
  Odoo's test runner or pytest-odoo.

Configuration, per server (Odoo configuration file): ``connector_runner_threads``
(default 1; 0 turns them off). A server started with ``max_cron_threads = 0`` runs no
background work, so no runner thread either. The cron "Connectors: run sync jobs"
stays as the fallback: it recovers lost jobs every minute and runs jobs itself on a
server without runner threads.

This module is process-level plumbing, not a model: it holds the threads of this
process and calls the model for everything the queue does.
"""

import contextlib
import logging
import os
import select
import sys
import threading
import time

import psycopg2

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.service import server as odoo_server
from odoo.tools import SQL, config

_logger = logging.getLogger(__name__)

CHANNEL = "connector_sync_job"
# Longest sleep without a notification: bounds how late a job due later (a retry,
# an eta) starts, and how often an idle thread looks for lost jobs.
POLL_SECONDS = 5.0
# Longest run between two looks at the registry (module updates, settings): a
# thread with work keeps claiming until the queue is empty or this is spent.
PASS_SECONDS = 30.0
# How long a stopping server (or cron worker) waits for a running job to commit.
STOP_SECONDS = 30.0
# Shortest time between two notifications of a process: a burst of deliveries shares one
# per spell (each cost a round trip and a wake-up of the notifier), a runner wakes that
# much later at most.
NOTIFY_SPACING_SECONDS = 0.02
# The odoo-bin commands that serve: ``server`` (also the command of an ``odoo-bin`` naming
# none) and ``start``, which runs it.
SERVING_COMMANDS = ("server", "start")

_threads = {}  # database name -> list of RunnerThread of this process
_threads_lock = threading.Lock()
_notifiers = {}  # database name -> Notifier of this process
# Niceness the runner threads of a prefork cron worker take: the server's (see
# RunnerThread.take_server_priority). None in a threaded server: they keep its own.
_server_niceness = None


def configured_thread_count():
    if not config["max_cron_threads"]:
        return 0
    return max(int(config.get("connector_runner_threads", 1) or 0), 0)


def odoo_command(argv=None):
    """The odoo-bin command this process runs, read from its arguments as Odoo's own
    command line reads them (``odoo.cli.command.main``): "server" when none is named."""
    args = list(sys.argv if argv is None else argv)[1:]
    if len(args) > 1 and args[0].startswith("--addons-path=") and not args[1].startswith("-"):
        args = args[1:]
    return args[0] if args and not args[0].startswith("-") else "server"


def wanted_in_this_process():
    """True in the serving process of a threaded Odoo server (see the module docstring)."""
    if config["stop_after_init"] or config["test_enable"] or config.get("test_file"):
        return False
    # ``shell`` and the one-off commands start a threaded server and stop it at once, then
    # load a registry: a job their runner took would be cut off when the command ends.
    if odoo_command() not in SERVING_COMMANDS:
        return False
    return isinstance(odoo_server.server, odoo_server.ThreadedServer) and configured_thread_count() > 0


def is_running(db_name):
    with _threads_lock:
        return any(thread.is_alive() for thread in _threads.get(db_name, ()))


def start(db_name, count=None):
    """Start this process's runner threads for a database, unless they run already."""
    count = configured_thread_count() if count is None else count
    with _threads_lock:
        alive = [thread for thread in _threads.get(db_name, ()) if thread.is_alive()]
        started = count - len(alive)
        for index in range(len(alive), count):
            thread = RunnerThread(db_name, index)
            thread.start()
            alive.append(thread)
        _threads[db_name] = alive
    if started > 0:
        _logger.info("Connector job runner: %s thread(s) started for database %s", started, db_name)


def stop(timeout=STOP_SECONDS):
    """Ask every runner thread of this process to stop after its current job, and wait for
    them and for the HTTP requests still being answered (a threaded server's stop has
    stopped taking new ones by now).

    The threaded server closes every database connection once this returns, waiting for
    its requests only until a second after its stop began: a webhook delivery taking
    longer (a loaded server answers in seconds) lost its connection mid-request, answered
    500 and logged ``PoolError: This connection does not belong to the pool``.
    """
    with _threads_lock:
        threads = [thread for threads in _threads.values() for thread in threads]
        _threads.clear()
    for thread in threads:
        thread.request_stop()
    deadline = time.monotonic() + timeout
    me = threading.current_thread()
    # Odoo marks its request threads with type "http".
    requests = [thread for thread in threading.enumerate() if getattr(thread, "type", None) == "http"]
    for thread in [*threads, *requests]:
        if thread is not me:
            thread.join(max(deadline - time.monotonic(), 0))


def notify_runners(db_name):
    """Wake the runner threads of every server listening on ``db_name``, soon.

    Called after a commit that queued due jobs. This process's notifier sends the
    notification on a connection of its own, outside the caller's transaction and
    request: a NOTIFY sent with the jobs would hold PostgreSQL's notification lock
    through the commit's disk flush, making concurrent commits wait for each other,
    and one sent after it would cost the caller two more round trips. Requests
    arriving while one is sent, or within :data:`NOTIFY_SPACING_SECONDS` after it,
    share the next.
    """
    with _threads_lock:
        notifier = _notifiers.get(db_name)
        # A forked process inherits the dictionary, not the thread.
        if notifier is None or notifier.pid != os.getpid():
            notifier = _notifiers[db_name] = Notifier(db_name)
            notifier.start()
    notifier.wanted.set()


class Notifier(threading.Thread):
    """Sends this process's wake-ups for one database (see :func:`notify_runners`)."""

    def __init__(self, db_name):
        super().__init__(name=f"connector.notifier.{db_name}", daemon=True)
        self.db_name = db_name
        self.pid = os.getpid()
        self.wanted = threading.Event()

    def run(self):
        connection = None
        while True:
            self.wanted.wait()
            self.wanted.clear()  # before sending: a request arriving meanwhile gets another
            try:
                if connection is None or connection.closed:
                    # Outside Odoo's pool: the server's stop closes the pool's connections.
                    _name, params = odoo.sql_db.connection_info_for(self.db_name)
                    connection = psycopg2.connect(**params)
                    connection.autocommit = True
                    with connection.cursor() as cr:
                        # A notification is not data: no disk flush to wait for.
                        cr.execute("SET synchronous_commit = off")
                with connection.cursor() as cr:
                    cr.execute("SELECT pg_notify(%s, '')", [CHANNEL])
                time.sleep(NOTIFY_SPACING_SECONDS)
            except psycopg2.Error:
                # The jobs are committed: the runners' next look (every few seconds) finds them.
                _logger.warning("Could not wake the connector job runners of %s", self.db_name, exc_info=True)
                connection = None
                time.sleep(1)


class RunnerThread(threading.Thread):
    def __init__(self, db_name, index):
        super().__init__(name=f"connector.runner.{db_name}.{index}", daemon=True)
        self.db_name = db_name
        self.stopping = threading.Event()
        self._next_sweep = 0.0
        # Written to by request_stop(): wakes the thread from its wait for a notification.
        self._wake_read, self._wake_write = os.pipe()

    def request_stop(self):
        """Stop after the current job (if any): no further claim, no wait for the next poll."""
        self.stopping.set()
        with contextlib.suppress(OSError):  # the thread ended already and closed its pipe
            os.write(self._wake_write, b"x")

    def run(self):
        # Odoo's log lines name the database of the thread that writes them.
        threading.current_thread().dbname = self.db_name
        self.take_server_priority()
        try:
            while not self.stopping.is_set():
                try:
                    if not self._serve():
                        return
                except Exception:
                    if self.stopping.is_set():
                        # The server closed the connections under a job that outlived the
                        # stop's wait: its session ended, so the other servers' sweep
                        # requeues the job, its attempt counted.
                        _logger.warning(
                            "Connector job runner for %s stopped while a job ran", self.db_name, exc_info=True
                        )
                        return
                    _logger.exception("Connector job runner for %s failed; starting again", self.db_name)
                    self.stopping.wait(POLL_SECONDS)
        finally:
            os.close(self._wake_read)
            os.close(self._wake_write)

    def take_server_priority(self):
        """Run at the niceness of the prefork server rather than its cron worker's.

        Odoo nices cron workers by 10 so that its batch crons yield to requests; a thread
        inherits that, and on a busy machine it gets a tenth of a normal process's CPU
        share, so webhook changes waited ten seconds and more. Lowering a niceness takes
        privilege (root, CAP_SYS_NICE or RLIMIT_NICE, e.g. systemd's LimitNICE); without
        it the thread stays niced. On Linux a niceness is per thread: the worker's crons
        stay niced either way.
        """
        if _server_niceness is None:
            return
        thread_id = threading.get_native_id()
        try:
            if os.getpriority(os.PRIO_PROCESS, thread_id) > _server_niceness:
                os.setpriority(os.PRIO_PROCESS, thread_id, _server_niceness)
        except OSError as error:
            _logger.info("Connector job runner stays at the cron worker's niceness: %s", error)

    def _serve(self):
        """Listen, then run passes until told to stop; False once the database has no queue."""
        listener = odoo.sql_db.db_connect(self.db_name).cursor()
        try:
            listener.execute(SQL("LISTEN %s", SQL.identifier(CHANNEL)))
            listener.commit()
            connection = listener._cnx
            while not self.stopping.is_set():
                ran = self._pass()
                if ran is None:
                    return False
                if ran:
                    continue  # the queue may have filled meanwhile: look again at once
                if not connection.notifies:
                    select.select([connection, self._wake_read], [], [], POLL_SECONDS)
                if self.stopping.is_set():
                    break
                connection.poll()
                connection.notifies.clear()
            return True
        finally:
            listener.close()

    def _pass(self):
        """Run due jobs; the number run, or None when connector_base left the database."""
        # As Odoo's cron threads do: pick up a reloaded registry and invalidated caches.
        registry = Registry(self.db_name).check_signaling()
        if "connector.sync.job" not in registry:
            return None
        with registry.manage_changes(), registry.cursor() as cr:
            Job = api.Environment(cr, SUPERUSER_ID, {})["connector.sync.job"]
            if time.monotonic() >= self._next_sweep:
                Job._requeue_lost_jobs()
                cr.commit()  # pylint: disable=invalid-commit
                self._next_sweep = time.monotonic() + POLL_SECONDS
            return Job._run_due_jobs(time_budget=PASS_SECONDS, stopping=self.stopping)


def _start_in_cron_workers():
    """Prefork: start the runner threads in each cron worker, stop them with it.

    Odoo has no hook for "a cron worker is running": wrap the worker's start, its loop
    step (which processes one database) and its stop. Installed at import, before the
    master forks when it preloads the database, or inside the worker that loads it
    first; either way the next loop step of each cron worker runs the wrapper.

    The start matters: a worker's first loop step comes after a first sleep of up to
    a minute (unless a cron trigger wakes it), so a new cron worker (the server's
    start, or one Odoo recycled) left the queue to wait that long. It starts the
    threads of every database whose registry it inherited from a preloading master.
    """
    worker_class = odoo_server.WorkerCron
    if getattr(worker_class, "_connector_runner_hooked", False):
        return
    start_worker, process_work, stop_worker = worker_class.start, worker_class.process_work, worker_class.stop

    def start_runners(worker, db_index):
        global _server_niceness  # noqa: PLW0603 - set once per cron worker, read by its threads
        names = worker._db_list() if configured_thread_count() else []
        if not names:
            return
        if _server_niceness is None:
            with contextlib.suppress(OSError):  # the master is gone: the worker stops anyway
                _server_niceness = os.getpriority(os.PRIO_PROCESS, worker.ppid)
        db_name = names[db_index % len(names)]
        registry = Registry.registries.get(db_name)
        if registry is not None and registry.ready and "connector.sync.job" in registry:
            start(db_name)

    def start_worker_and_runners(self):
        start_worker(self)
        for db_index in range(len(self._db_list())):
            start_runners(self, db_index)

    def process_work_and_start_runners(self):
        # Before the step (which moves db_index to the database it processes): else the
        # step's cron run of the queue would come first. After it too: the step may load
        # the registry first.
        start_runners(self, self.db_index + 1)
        process_work(self)
        start_runners(self, self.db_index)

    def stop_runners_then_worker(self):
        stop()
        stop_worker(self)

    worker_class.start = start_worker_and_runners
    worker_class.process_work = process_work_and_start_runners
    worker_class.stop = stop_runners_then_worker
    worker_class._connector_runner_hooked = True


_start_in_cron_workers()
# Threaded server: its stop closes every database connection once the functions
# registered here have run, so the runner threads finish their jobs first.
odoo_server.CommonServer.on_stop(stop)
