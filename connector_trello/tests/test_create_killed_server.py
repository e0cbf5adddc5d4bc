from odoo.tests import tagged

from odoo.addons.connector_base.tests.killed_create import KilledCreateCase
from odoo.addons.connector_trello.tests.emulator import (
    DEMO_API_KEY,
    DEMO_APP_SECRET,
    DEMO_TOKEN,
    TrelloEmulator,
    load_sample,
)


# The servers load the registry of the committed database: at install time the
# connector is not installed there yet.
@tagged("post_install", "-at_install")
class TestCardCreateOnAKilledServer(KilledCreateCase):
    def setUp(self):
        super().setUp()
        self.trello = TrelloEmulator()
        self.sample = load_sample(self.trello)
        self.trello.start()
        self.addCleanup(self.trello.stop)
        with self.committed_env() as env:
            backend = self.keep_for_cleanup(
                env["trello.backend"].create(
                    {
                        "name": "Trello killed server",
                        "api_url": self.trello.url("/1"),
                        "api_key": DEMO_API_KEY,
                        "app_secret": DEMO_APP_SECRET,
                        "token": DEMO_TOKEN,
                        # Trello checks the callback answers before it registers the webhook.
                        "public_base_url": self.servers[0].url,
                    }
                )
            )
            link = self.keep_for_cleanup(
                env["trello.board"].create(
                    {"backend_id": backend.id, "board_id": self.sample["board"], "name": "IT"}
                )
            )
            self.link_id = link.id
        self.wait_for_backend_jobs()
        with self.committed_env() as env:
            link = env["trello.board"].browse(self.link_id)
            self.keep_for_cleanup(link.project_id)
            self.keep_for_cleanup(link.project_id.with_context(active_test=False).task_ids)
            self.project_id = link.project_id.id
            self.doing_id = next(item.stage_id.id for item in link.list_ids if item.name == "Doing")

    def test_a_server_killed_while_trello_creates_the_card_leaves_one_card_and_one_binding(self):
        self.start_second_server()
        posts = self.trello.count("/1/cards", "POST")
        # Trello creates the card and holds its answer until the server running the job is killed.
        held = self.trello.faults.add(hold=120, route="/1/cards", method="POST")
        with self.committed_env() as env:
            task = self.keep_for_cleanup(
                env["project.task"].create(
                    {"name": "Replace the router", "project_id": self.project_id, "stage_id": self.doing_id}
                )
            )
            task_id = task.id
        backend_model, backend_id = self.backend_ref

        self.kill_the_server_holding(
            held,
            [("backend_model", "=", backend_model), ("backend_id", "=", backend_id), ("kind", "=", "export")],
        )

        cards = [card for card in self.trello.cards.values() if card["name"] == "Replace the router"]
        self.assertEqual(len(cards), 1, "one card")
        self.assertEqual(self.trello.count("/1/cards", "POST"), posts + 1, "created once")
        with self.committed_env() as env:
            bindings = env["connector.external.binding"].search(
                [
                    ("backend_model", "=", backend_model),
                    ("backend_id", "=", backend_id),
                    ("res_model", "=", "project.task"),
                    ("res_id", "=", task_id),
                ]
            )
            self.assertEqual(bindings.mapped("external_id"), [cards[0]["id"]], "one binding, to that card")
        self.assert_intent_forgotten("project.task", task_id)
        self.assert_no_error_logged()
