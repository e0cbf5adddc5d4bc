from odoo.exceptions import UserError

from odoo.addons.connector_base.tests.common import ConnectorCase

from ..models.test_connector_backend import REFUSED_TOKEN


class TestRefusalInAButton(ConnectorCase):
    """A refused credential a button meets holds the backend, though the button's own
    transaction is rolled back with the UserError the person reads."""

    def setUp(self):
        super().setUp()
        with self.committed_env() as env:
            self.backend_id = (
                env["test.connector.backend"]
                .create({"name": "Refused in a button", "api_token": REFUSED_TOKEN})
                .id
            )
        self._committed_backend_ids.append(self.backend_id)

    def press_check_platform(self, env, write_first=False):
        backend = env["test.connector.backend"].browse(self.backend_id)
        if write_first:
            backend.name = "Renamed by the button"
            env.flush_all()
        with self.assertRaises(UserError) as raised:
            backend.action_check_platform()
        return str(raised.exception)

    def marked(self, env):
        backend = env["test.connector.backend"].browse(self.backend_id)
        backend.invalidate_recordset()
        notes = backend.message_ids.filtered(lambda note: "refused the credentials" in (note.body or ""))
        return backend.needs_reauthorization, backend.paused, len(notes)

    def test_a_refusal_met_by_a_button_outlives_the_buttons_rollback_and_is_told_once(self):
        [job_id] = self.enqueue_committed(self.backend_id, "_job_noop")

        for _press in range(2):
            with self.committed_env() as env:
                message = self.press_check_platform(env)
                env.cr.rollback()  # what the request does with a UserError

        self.assertIn("the platform refused the token", message)
        self.assertNotIn(REFUSED_TOKEN, message)
        with self.committed_env() as env:
            self.assertEqual(self.marked(env), (True, True, 1), "flagged, held, managers told once")
        self.assertEqual(self.read_jobs([job_id])[job_id]["state"], "pending")

    def test_a_button_holding_the_backends_row_marks_it_in_its_own_transaction(self):
        # A transaction of its own would wait for the button's lock on the row for ever.
        with self.committed_env() as env:
            self.press_check_platform(env, write_first=True)
            self.assertEqual(self.marked(env), (True, True, 1))
            env.cr.rollback()

        with self.committed_env() as env:
            self.assertEqual(self.marked(env), (False, False, 0), "the mark shared the button's fate")
