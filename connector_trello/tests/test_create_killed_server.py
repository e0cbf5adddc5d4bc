from odoo.tests import tagged

from odoo.addons.connector_base.tests.killed_create import KilledCreateCase
from odoo.addons.connector_trello.tests.emulator import TrelloEmulator, load_sample

from .common import backend_values


# The servers load the registry of the committed database: at install time the
# connector is not installed there yet.
@tagged("post_install", "-at_install")
class TestCardCreateOnAKilledServer(KilledCreateCase):
    def setUp(self):
        super().setUp()
        self.trello = TrelloEmulator()
        self.sample = load_sample(self.trello)
        self.start_emulator(self.trello)
        with self.committed_env() as env:
            backend = self.keep_for_cleanup(
                env["trello.backend"].create(
                    # Trello checks the callback answers before it registers the webhook.
                    backend_values(
                        self.trello, name="Trello killed server", public_base_url=self.servers[0].url
                    )
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

        self.kill_the_server_exporting(held)

        cards = [card for card in self.trello.cards.values() if card["name"] == "Replace the router"]
        self.assertEqual(len(cards), 1, "one card")
        self.assertEqual(self.trello.count("/1/cards", "POST"), posts + 1, "created once")
        self.assert_created_once("project.task", task_id, cards[0]["id"])
