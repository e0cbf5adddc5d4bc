from odoo.tests import TransactionCase


class TestWebhookHealthOf(TransactionCase):
    """The overview's answer for a platform that knows the state of each of its webhooks."""

    def setUp(self):
        super().setUp()
        self.Backend = self.env["connector.backend.mixin"]
        self.watched = self.env["res.partner"].create([{"name": "Board A"}, {"name": "Board B"}])

    def test_all_working_is_ok_and_counts_what_is_watched(self):
        answer = self.Backend._connector_webhook_health_of(self.watched, "active", "board(s)")
        self.assertEqual(answer, ("ok", "Active on 2 board(s)"))

    def test_a_broken_webhook_is_an_error_that_names_the_first_broken_one(self):
        self.watched[1].active = False
        answer = self.Backend._connector_webhook_health_of(self.watched, "active", "board(s)")
        self.assertEqual(answer, ("error", "1 of 2 board(s) without an active webhook: Board B"))

    def test_nothing_watched_leaves_the_answer_to_the_default(self):
        answer = self.Backend._connector_webhook_health_of(self.env["res.partner"], "active", "board(s)")
        self.assertIsNone(answer)
