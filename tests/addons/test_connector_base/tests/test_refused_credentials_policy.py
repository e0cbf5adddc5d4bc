from unittest.mock import patch

from odoo.tests import TransactionCase
from odoo.tools import mute_logger

from odoo.addons.connector_base.lib.oauth import TokenSet
from odoo.addons.connector_base.tests.common import run_jobs

from ..models.test_connector_backend import REFUSED_TOKEN

SILENCE = ("odoo.addons.connector_base.models.connector_sync_job",)


class TestRefusedCredentialsPolicy(TransactionCase):
    """A pasted token and an OAuth backend meet a refusal the same way: one state, one note, held jobs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token_backend = cls.env["test.connector.backend"].create(
            {"name": "Token backend", "api_token": REFUSED_TOKEN, "app_secret": "app-secret"}
        )
        cls.oauth_backend = cls.env["test.connector.oauth.backend"].create(
            {"name": "OAuth backend", "oauth_client_id": "client"}
        )

    def notes(self, backend):
        return backend.message_ids.filtered(lambda message: "refused the credentials" in (message.body or ""))

    def state(self, backend):
        backend.invalidate_recordset()
        [card] = backend._connector_overview_cards()
        return backend.needs_reauthorization, backend.paused, len(self.notes(backend)), card["state"]

    @mute_logger(*SILENCE)
    def test_a_pasted_token_and_an_oauth_token_refused_give_the_same_state_and_one_note(self):
        for backend in (self.token_backend, self.oauth_backend):
            jobs = backend._connector_enqueue("_job_call_platform") | backend._connector_enqueue(
                "_job_call_platform"
            )

            run_jobs(backend)

            self.assertEqual(self.state(backend), (True, True, 1, "needs_reauth"), backend._name)
            self.assertEqual(set(jobs.mapped("state")), {"pending"}, "held, not failed")
            self.assertEqual(set(jobs.mapped("attempts")), {0})

    @mute_logger(*SILENCE)
    def test_held_oauth_jobs_run_once_the_backend_is_connected_again(self):
        backend = self.oauth_backend
        held = backend._connector_enqueue("_job_call_platform")
        run_jobs(backend)
        self.assertIn("presses Connect", str(self.notes(backend).body))

        granted = TokenSet("access-plain-1", "refresh-plain-1", None)
        with patch.object(type(backend), "_oauth_token_request", return_value=granted):
            backend._oauth_fetch_token_client_credentials()
        run_jobs(backend)

        self.assertEqual(held.state, "done")
        self.assertEqual(self.state(backend), (False, False, 1, "connected"))

    def test_a_health_check_meeting_a_refused_token_holds_the_backend_until_a_working_one_is_saved(self):
        backend = self.token_backend
        waiting = backend._connector_enqueue("_job_call_platform")

        backend.action_check_health()
        backend.action_check_health()

        self.assertEqual(backend.health_state, "error")
        self.assertIn("Platform", backend.health_message)
        self.assertEqual(self.state(backend), (True, True, 1, "needs_reauth"), "told once")

        backend.api_token = "working-token"
        run_jobs(backend)

        self.assertEqual(self.state(backend), (False, False, 1, "connected"))
        self.assertEqual(waiting.state, "done")
