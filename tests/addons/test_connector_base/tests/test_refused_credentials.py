from odoo.tools import mute_logger

from odoo.addons.connector_base.models.connector_backend_credentials import CREDENTIALS_REFUSED_REASON
from odoo.addons.connector_base.tests.common import ConnectorCase

SILENCE = ("odoo.addons.connector_base.models.connector_sync_job",)


class TestRefusedCredentials(ConnectorCase):
    """One policy for every backend: a refused credential holds the backend, a refused object fails alone."""

    def set_token(self, backend_id, token):
        with self.committed_env() as env:
            env["test.connector.backend"].browse(backend_id).api_token = token

    def restore_threshold(self, value):
        with self.committed_env() as env:
            env["ir.config_parameter"].set_param("connector_base.circuit_breaker_threshold", value)

    def backend_state(self, backend_id):
        with self.committed_env() as env:
            backend = env["test.connector.backend"].browse(backend_id)
            notes = backend.message_ids.filtered(
                lambda message: "refused the credentials" in (message.body or "")
            )
            return backend.needs_reauthorization, backend.paused, len(notes)

    @mute_logger(*SILENCE)
    def test_a_refused_credential_holds_the_jobs_notifies_once_and_a_working_one_resumes_them(self):
        backend_id = self.make_committed_backend()
        self.set_token(backend_id, "refused-token")
        held = self.enqueue_committed(backend_id, "_job_call_platform", count=3)

        self.run_committed()

        rows = self.read_jobs(held, ["state", "attempts", "error_class"])
        self.assertEqual({row["state"] for row in rows.values()}, {"pending"}, "held, not failed")
        self.assertEqual({row["attempts"] for row in rows.values()}, {0}, "a refused try costs no attempt")
        self.assertEqual(self.backend_state(backend_id), (True, True, 1), "flagged, paused, told once")

        self.set_token(backend_id, "refused-token")  # saved again, still refused
        self.run_committed()
        self.assertEqual(self.backend_state(backend_id), (True, True, 1))

        with self.committed_env() as env:  # someone resumes by hand: refused again, held again
            env["test.connector.backend"].browse(backend_id).action_resume()
        self.run_committed()
        self.assertEqual({row["state"] for row in self.read_jobs(held).values()}, {"pending"})
        self.assertEqual(self.backend_state(backend_id), (True, True, 1), "paused again, no second note")

        self.set_token(backend_id, "working-token")
        self.run_committed()

        self.assertEqual({row["state"] for row in self.read_jobs(held).values()}, {"done"})
        self.assertEqual(self.backend_state(backend_id), (False, False, 1))
        with self.committed_env() as env:
            self.assertFalse(
                env["connector.backend.pause"].search([("reason", "=", CREDENTIALS_REFUSED_REASON)])
            )
            self.assertEqual(env["test.connector.execution"].search_count([("job_id", "in", held)]), 3)

    @mute_logger(*SILENCE)
    def test_an_object_the_credential_may_not_reach_fails_alone_and_the_backend_keeps_running(self):
        backend_id = self.make_committed_backend()
        self.set_token(backend_id, "working-token")
        with self.committed_env() as env:
            params = env["ir.config_parameter"]
            previous = params.get_param("connector_base.circuit_breaker_threshold", "5")
            params.set_param("connector_base.circuit_breaker_threshold", 2)
        self.addCleanup(self.restore_threshold, previous)
        refused = self.enqueue_committed(backend_id, "_job_fail_object_access", count=3)
        others = self.enqueue_committed(backend_id, "_job_call_platform", count=2)

        self.run_committed()

        rows = self.read_jobs(refused, ["state", "error_class"])
        self.assertEqual({row["state"] for row in rows.values()}, {"failed"})
        self.assertIn("PermissionDeniedError", rows[refused[0]]["error_class"])
        self.assertEqual({row["state"] for row in self.read_jobs(others).values()}, {"done"})
        self.assertEqual(self.backend_state(backend_id), (False, False, 0), "never paused, nobody bothered")
