from .common import TrelloCase


class TestTrelloOverview(TrelloCase):
    """What the overview, the jobs and the sync history say of a Trello backend."""

    def setUp(self):
        super().setUp()
        self.link = self.link_board(url="https://trello.com/b/abc123/it")
        self.trello.take_pending()
        self.trello.reset()

    def card(self):
        cards = self.env["connector.overview"].get_overview()["cards"]
        return next(
            card for card in cards if card["model"] == "trello.backend" and card["id"] == self.backend.id
        )

    def test_board_jobs_are_named_after_the_board_with_their_kind(self):
        register = self.jobs(method_name="_job_register_webhook")
        self.assertEqual(register.name, "Register the webhook of board IT")
        self.assertEqual(register.kind, "webhook_setup")
        self.assertEqual(register.object_url, "https://trello.com/b/abc123/it")
        self.assertEqual(self.jobs(method_name="_job_import_board").name, "Import board IT")

    def test_a_webhook_action_job_names_its_card_and_the_task_history_lists_it(self):
        self.trello.move_card(self.sample["cards"]["Order laptops"], self.sample["lists"]["Done"])
        self.assertEqual(self.deliver(), [200])
        [job] = self.jobs(kind="webhook")
        self.assertEqual(job.name, "Apply updateCard to card Order laptops of board IT")
        task = self.task_of("Order laptops")
        history = self.env["connector.sync.history"].browse(task.action_view_connector_history()["res_id"])
        self.assertIn(job, history.job_ids)
        self.assertEqual(history.binding_ids.external_url, task.trello_card_url)

    def test_the_card_tells_webhook_health_and_re_authorisation(self):
        self.assertEqual(self.card()["webhook_text"], "Active on 1 board(s)")
        self.assertEqual(self.card()["state"], "connected")
        self.backend.needs_reauthorization = True
        self.assertEqual(self.card()["state"], "needs_reauth")

    def test_a_board_without_its_webhook_is_named_on_the_card_and_its_list_opens(self):
        self.link.webhook_active = False
        self.assertEqual(self.card()["webhook_level"], "error")
        self.assertEqual(self.card()["webhook_text"], "1 of 1 board(s) without an active webhook: IT")
        action = self.backend.action_overview_open("webhooks")
        self.assertEqual(action["name"], f"Trello boards and webhooks of {self.backend.display_name}")
        self.assertEqual(self.env[action["res_model"]].search(action["domain"]), self.link)
