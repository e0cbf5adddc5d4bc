import re
from urllib.parse import urlsplit

import requests

from odoo.addons.connector_base.models.connector_backend_credentials import CREDENTIALS_REFUSED_REASON
from odoo.addons.connector_trello.tests.emulator import DEMO_TOKEN

from .common import TrelloCase


class TestConnection(TrelloCase):
    def authorize_in_trello(self):
        """What a person's browser does: our route, Trello's Allow, back to our page."""
        self.authenticate("admin", "admin")
        ours = self.url_open(f"/connector/trello/authorize/{self.backend.id}", allow_redirects=False)
        self.assertEqual(ours.status_code, 303)
        trello_page = ours.headers["Location"]
        self.assertTrue(trello_page.startswith(self.trello.url("/1/authorize?")))
        allowed = requests.get(trello_page + "&approve=1", allow_redirects=False, timeout=10)
        back, _hash, fragment = allowed.headers["Location"].partition("#")
        page = self.url_open(back)
        self.assertEqual(page.status_code, 200)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        nonce = re.search(r'name="nonce" value="([^"]*)"', page.text).group(1)
        return csrf, nonce, fragment.removeprefix("token=")

    def test_authorize_stores_the_token_trello_sends_back_and_names_its_member(self):
        csrf, nonce, token = self.authorize_in_trello()

        stored = self.url_open(
            f"/connector/trello/authorized/{self.backend.id}",
            data={"csrf_token": csrf, "nonce": nonce, "token": token},
            allow_redirects=False,
        )

        self.assertEqual(stored.status_code, 303)
        self.assertIn(f"/{self.backend.id}", urlsplit(stored.headers["Location"]).path)
        self.env.invalidate_all()
        self.assertEqual(self.backend._connector_secret("token"), token)
        self.assertNotEqual(token, DEMO_TOKEN)
        self.assertEqual(self.backend.member_name, "Ana Silva")

    def test_a_token_posted_without_this_session_s_nonce_is_refused(self):
        csrf, _nonce, token = self.authorize_in_trello()

        refused = self.url_open(
            f"/connector/trello/authorized/{self.backend.id}",
            data={"csrf_token": csrf, "nonce": "forged", "token": token},
            allow_redirects=False,
        )

        self.assertEqual(refused.status_code, 403)
        self.env.invalidate_all()
        self.assertEqual(self.backend._connector_secret("token"), DEMO_TOKEN)

    def test_test_connection_names_the_token_s_member(self):
        result = self.backend.action_test_connection()

        self.assertIn("Ana Silva (@ana)", result["params"]["message"])
        self.assertEqual(self.backend.member_id, self.trello.me)

    def test_a_refused_token_holds_the_jobs_keeps_everything_and_a_new_one_resumes(self):
        link = self.link_board()
        tasks = self.env["project.task"].search_count([("trello_board_id", "=", link.id)])
        mappings = self.env["connector.field.mapping"].search_count([("backend_id", "=", self.backend.id)])
        self.trello.revoke_token(DEMO_TOKEN)
        self.trello.move_card(self.sample["cards"]["Order laptops"], self.sample["lists"]["Done"])

        link.action_import()
        self.run_jobs()

        self.assertFalse(self.jobs(state="failed"), "held, not failed")
        [held] = self.jobs(state="pending", method_name="_job_import_board")
        self.assertIn("AuthenticationError", held.error_class)
        self.assertTrue(self.backend.needs_reauthorization)
        self.assertTrue(self.backend.paused)
        notes = self.backend.message_ids.filtered(
            lambda message: "refused the credentials" in (message.body or "")
        )
        self.assertEqual(len(notes), 1)
        self.assertIn("presses Authorize", str(notes.body))
        self.assertEqual(self.env["project.task"].search_count([("trello_board_id", "=", link.id)]), tasks)
        self.assertEqual(
            self.env["connector.field.mapping"].search_count([("backend_id", "=", self.backend.id)]), mappings
        )
        self.assertEqual(self.backend.action_check_health()["params"]["type"], "warning")

        self.backend._trello_store_token(self.trello.issue_token())
        self.run_jobs()

        self.assertFalse(self.backend.needs_reauthorization)
        self.assertFalse(
            self.env["connector.backend.pause"].search([("reason", "=", CREDENTIALS_REFUSED_REASON)])
        )
        self.assertEqual(held.state, "done", "the held job ran")
        self.assertEqual(self.task_of("Order laptops").stage_id.name, "Done")
        self.assertEqual(len(self.trello.webhooks), 1, "the new token has the board's webhook again")
