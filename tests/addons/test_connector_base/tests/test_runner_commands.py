import subprocess

from odoo.tests import tagged
from odoo.tools import config

from odoo.addons.connector_base import job_runner
from odoo.addons.connector_base.tests.common import ConnectorCase
from odoo.addons.connector_base.tests.odoo_servers import odoo_bin

# Run by ``odoo-bin shell``: it reports whether runner threads run in it, having left them
# the time to claim a due job.
SHELL_SCRIPT = """
import time
from odoo.addons.connector_base import job_runner
time.sleep(2)
print("RUNNER-THREADS", job_runner.is_running(env.cr.dbname))
"""


# The shell loads the registry of the committed database: at install time the test addon
# is not installed there yet.
@tagged("post_install", "-at_install")
class TestRunnerInOdooCommands(ConnectorCase):
    """Only serving processes run jobs: a command such as ``odoo-bin shell`` starts a
    threaded server and stops it at once, then loads the registry; a job its runner took
    was cut off when the command ended (`make run`'s demo setup showed it: a job requeued
    as lost and run again)."""

    def test_an_odoo_shell_runs_no_job(self):
        backend_id = self.make_committed_backend()
        [job_id] = self.enqueue_committed(backend_id, "_job_noop")
        shell = subprocess.run(
            [*odoo_bin(), "shell", "-c", config.rcfile, "-d", self.env.cr.dbname, "--no-http"],
            input=SHELL_SCRIPT,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        self.assertEqual(shell.returncode, 0, shell.stderr[-2000:])
        self.assertIn("RUNNER-THREADS False", shell.stdout, shell.stderr[-2000:])
        job = self.read_jobs([job_id])[job_id]
        self.assertEqual((job["state"], job["attempts"]), ("pending", 0), "the shell took no job")

    def test_the_command_is_read_as_odoo_reads_it(self):
        self.assertEqual(job_runner.odoo_command(["odoo-bin", "-c", "odoo.conf"]), "server")
        self.assertEqual(job_runner.odoo_command(["odoo-bin"]), "server")
        self.assertEqual(job_runner.odoo_command(["odoo-bin", "shell", "-d", "db"]), "shell")
        self.assertEqual(
            job_runner.odoo_command(["odoo-bin", "--addons-path=/x", "neutralize", "-d", "db"]), "neutralize"
        )
        self.assertEqual(job_runner.odoo_command(["odoo-bin", "--addons-path=/x", "-d", "db"]), "server")
