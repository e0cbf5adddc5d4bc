import tempfile
from datetime import datetime, timedelta, timezone
from unittest.mock import patch

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.connector_base.lib import rate_limit
from odoo.addons.connector_base.tests.common import EmulatorRequestsMixin, RunJobsMixin
from odoo.addons.connector_sprout.tests.emulator import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_TOKEN,
    TOKEN_PATH,
    SproutEmulator,
    load_sample,
)

UTC = timezone.utc


@tagged("post_install", "-at_install")
class SproutCase(RunJobsMixin, EmulatorRequestsMixin, HttpCase):
    """End to end against the Sprout emulator, over real HTTP.

    Every test gets a fresh emulator with the sample customer (its messages created over
    the last hours) and a backend on its API token. Jobs run in the test's transaction
    through :meth:`run_jobs`, as the runner would run them.
    """

    def setUp(self):
        super().setUp()
        # Private rate-limit buckets: calls made by another test or run must not count here.
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        patcher = patch.object(rate_limit, "DEFAULT_DIRECTORY", directory.name)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.sprout = SproutEmulator()
        self.sample_start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=6)
        self.sample = load_sample(self.sprout, start=self.sample_start)
        self.start_emulator(self.sprout)
        self.backend = self.env["sprout.backend"].create(
            {"name": "ACME on Sprout", "api_url": self.sprout.base_url, "api_token": DEMO_TOKEN}
        )

    # ------------------------------------------------------------------ helpers
    def use_client_credentials(self, scope="organization_id"):
        self.backend.write(
            {
                "auth_type": "client_credentials",
                "oauth_client_id": DEMO_CLIENT_ID,
                "oauth_client_secret": DEMO_CLIENT_SECRET,
                "oauth_token_url": self.sprout.url(TOKEN_PATH),
                "oauth_scope": scope,
            }
        )

    def sync_metadata(self):
        self.backend._sprout_enqueue_metadata()
        return self.run_jobs()

    def tick(self, *names):
        profiles = self.backend.profile_ids.filtered(lambda profile: profile.name in names)
        profiles.sync_messages = True
        return profiles

    def poll(self):
        """Queue the backend's polls and run them with the imports they queue."""
        self.backend._connector_enqueue_polls()
        return self.run_jobs()

    def messages(self):
        return self.env["sprout.message"].search([("backend_id", "=", self.backend.id)])

    def make_due(self, jobs):
        """Bring retries planned later (a 429's minute) to now, as time passing would."""
        jobs.write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
