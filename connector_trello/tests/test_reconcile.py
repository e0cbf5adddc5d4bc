from .common import TrelloCase


class TestReconcile(TrelloCase):
    def setUp(self):
        super().setUp()
        self.link = self.link_board()
        self.trello.take_pending()

    def reconcile(self):
        self.env["connector.backend.mixin"]._cron_reconcile_backends()
        self.run_jobs()
        return {
            (difference.external_id, difference.kind): difference
            for difference in self.env["connector.reconcile.difference"].search(
                [
                    ("backend_model", "=", self.backend._name),
                    ("backend_id", "=", self.backend.id),
                    ("state", "=", "open"),
                ]
            )
        }

    def test_reconciliation_lists_each_divergence_and_its_fix_brings_both_sides_together(self):
        cards = self.sample["cards"]
        # Trello side: a rename and a new card whose webhooks never arrived, a card deleted unseen.
        self.trello.update_card(cards["Install printer"], name="Install the big printer")
        projector = self.trello.add_card(self.sample["lists"]["To do"], "Order a projector")
        wifi_id = self.task_of_name("Set up Wi-Fi")
        wifi_card = next(card for card in self.trello.cards.values() if card["name"] == "Set up Wi-Fi")
        del self.trello.cards[wifi_card["id"]]
        self.trello.take_pending()
        # Odoo side: a rename whose export was lost.
        laptops = self.task_of("Order laptops")
        laptops.name = "Order four laptops"
        self.jobs(method_name="_job_export_record").action_cancel()
        self.trello.reset()

        found = self.reconcile()

        self.assertEqual(
            set(found),
            {
                (cards["Install printer"], "content"),
                (projector, "missing_in_odoo"),
                (wifi_card["id"], "missing_on_platform"),
                (cards["Order laptops"], "changed_in_odoo"),
            },
        )
        self.assertEqual(self.trello.count("/1/boards/{board_id}/cards", "GET"), 1, "one page of cards")
        [job] = self.jobs(method_name="_job_reconcile")
        self.assertEqual(job.state, "done")
        self.assertIn("4 difference(s)", job.result_summary)

        found[cards["Install printer"], "content"].action_reimport()
        found[projector, "missing_in_odoo"].action_reimport()
        found[cards["Order laptops"], "changed_in_odoo"].action_reexport()
        found[wifi_card["id"], "missing_on_platform"].action_unbind()
        self.run_jobs()

        self.assertEqual(self.task_of("Install printer").name, "Install the big printer")
        new_task = self.env["project.task"]._connector_find(self.backend, "card", [projector])[projector]
        self.assertEqual((new_task.name, new_task.project_id), ("Order a projector", self.link.project_id))
        self.assertEqual(self.trello.cards[cards["Order laptops"]]["name"], "Order four laptops")
        self.assertFalse(self.env["project.task"]._connector_find(self.backend, "card", [wifi_card["id"]]))
        self.assertTrue(self.env["project.task"].browse(wifi_id).exists(), "unbinding keeps the task")
        self.assertFalse(self.reconcile(), "nothing differs any more")

    def task_of_name(self, name):
        return (
            self.env["project.task"].search([("name", "=", name), ("trello_board_id", "=", self.link.id)]).id
        )
