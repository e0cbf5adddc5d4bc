from odoo.addons.connector_base.lib.errors import NetworkError
from odoo.addons.connector_base.tests.common import LOST_ANSWER_HOLD, call_losing_its_answer

from .common import TrelloCase


class TestCardCreateOnce(TrelloCase):
    def setUp(self):
        super().setUp()
        self.link = self.link_board()
        self.doing = next(item.stage_id for item in self.link.list_ids if item.name == "Doing")

    def new_task(self, name):
        return self.env["project.task"].create(
            {"name": name, "project_id": self.link.project_id.id, "stage_id": self.doing.id}
        )

    def cards_named(self, name):
        return [card for card in self.trello.cards.values() if card["name"] == name]

    def test_a_card_whose_create_answer_was_lost_is_bound_not_created_again(self):
        task = self.new_task("Replace the router")
        # Trello creates the card, then its answer is held past the client's read timeout.
        held = self.trello.faults.add(hold=LOST_ANSWER_HOLD, route="/1/cards", method="POST")
        lost = call_losing_its_answer(lambda: self.link._create_card(task), self.backend, "_trello_client")
        self.assertIsInstance(lost, NetworkError, "the lost answer was not raised")
        self.assertTrue(held.holding.is_set())
        self.assertEqual(len(self.cards_named("Replace the router")), 1)
        self.assertFalse(
            task._connector_find(self.backend, "card", [self.cards_named("Replace the router")[0]["id"]])
        )
        posts = self.trello.count("/1/cards", "POST")

        self.run_jobs()  # the queued create, as its retry

        [card] = self.cards_named("Replace the router")
        self.assertEqual(self.trello.count("/1/cards", "POST"), posts, "not created again")
        self.assertEqual(task._connector_find(self.backend, "card", [card["id"]]), {card["id"]: task})
        self.assertEqual(task.trello_card_url, card["shortUrl"])

    def test_a_create_that_died_before_calling_trello_creates_the_card(self):
        task = self.new_task("Order toner")
        # An earlier attempt recorded its intent and died before the call.
        self.env["connector.create.intent"]._open(self.backend, "card", task)

        self.run_jobs()

        [card] = self.cards_named("Order toner")
        self.assertEqual(task._connector_find(self.backend, "card", [card["id"]]), {card["id"]: task})

    def test_a_card_of_the_same_name_bound_to_another_task_is_not_taken(self):
        first = self.new_task("Weekly backup")
        self.run_jobs()
        [bound_card] = self.cards_named("Weekly backup")
        second = self.new_task("Weekly backup")
        self.env["connector.create.intent"]._open(self.backend, "card", second)

        self.run_jobs()

        cards = self.cards_named("Weekly backup")
        self.assertEqual(len(cards), 2)
        found = second._connector_find(self.backend, "card", [card["id"] for card in cards])
        self.assertEqual(set(found.values()), {first, second})
        self.assertNotEqual(
            next(card_id for card_id, task in found.items() if task == second), bound_card["id"]
        )
