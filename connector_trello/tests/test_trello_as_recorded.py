"""What real Trello answers and sends, and the connector keeping up with it end to end."""

from urllib.parse import urlsplit

from .common import TrelloCase

TITLED_DESCRIPTION = (
    'Spec in [the wiki](https://wiki.example.com/printers "Printer guide"), see '
    '[https://trello.com/c/abc](https://trello.com/c/abc "smartCard-inline")\n\n'
    'Patch: [**file.py**](http://file.py "")'
)


class TestTrelloAsRecorded(TrelloCase):
    def setUp(self):
        super().setUp()
        self.link = self.link_board()
        self.trello.take_pending()

    def notes_about_credentials(self):
        return self.backend.message_ids.filtered(
            lambda message: "refused the credentials" in (message.body or "")
        )

    def test_a_card_moved_where_the_token_may_not_see_it_archives_its_task_alone(self):
        private = self.trello.add_board("Management", visible_to_me=False)
        hidden_list = self.trello.add_list(private, "Confidential")
        self.trello.move_card_to_board(self.sample["cards"]["Order laptops"], private, hidden_list)
        self.trello.move_card(self.sample["cards"]["Install printer"], self.sample["lists"]["Done"])

        self.assertEqual(set(self.deliver()), {200})
        self.run_jobs()

        self.assertFalse(self.task_of("Order laptops").active, "out of the token's reach: archived")
        self.assertEqual(self.task_of("Install printer").stage_id.name, "Done", "the board keeps syncing")
        self.assertFalse(self.backend.needs_reauthorization)
        self.assertFalse(self.backend.paused)
        self.assertFalse(self.notes_about_credentials())
        self.assertFalse(self.jobs(state="failed"))

    def test_a_copied_card_brings_the_comments_copied_with_it(self):
        copy_id = self.trello.copy_card(
            self.sample["cards"]["Install printer"], self.sample["lists"]["To do"], name="Second printer"
        )

        self.assertEqual(set(self.deliver()), {200})
        self.run_jobs()

        task = self.env["project.task"]._connector_find(self.backend, "card", [copy_id])[copy_id]
        self.assertEqual(task.name, "Second printer")
        bodies = task.message_ids.filtered(lambda message: message.message_type == "comment").mapped("body")
        self.assertEqual(
            sorted(str(body) for body in bodies),
            ["<p>Driver needs <strong>admin</strong> rights</p>", "<p>Printer arrived</p>"],
        )

    def test_a_description_with_titled_links_imports_as_links_and_goes_back_byte_identical(self):
        card_id = self.sample["cards"]["Order laptops"]
        self.trello.update_card(card_id, desc=TITLED_DESCRIPTION)
        self.deliver()
        self.run_jobs()
        task = self.task_of("Order laptops")
        self.assertIn('title="smartCard-inline"', str(task.description))
        self.assertIn('<a href="http://file.py" title=""><strong>file.py</strong></a>', str(task.description))

        task.name = "Order four laptops"  # the description itself is not touched
        self.run_jobs()
        self.assertEqual(self.trello.cards[card_id]["name"], "Order four laptops")
        self.assertEqual(self.trello.cards[card_id]["desc"], TITLED_DESCRIPTION)

        task.description = str(task.description) + "<p>Budget: 3k</p>"
        self.run_jobs()
        self.assertEqual(self.trello.cards[card_id]["desc"], TITLED_DESCRIPTION + "\n\nBudget: 3k")

    def test_an_upload_without_file_name_nor_type_is_downloaded_with_a_sensible_name_and_type(self):
        card_id = self.sample["cards"]["Order laptops"]
        self.trello.add_attachment(
            card_id, "Quote", content=b"%PDF-1.4 quote", mime_type=None, file_name="quote_2024.pdf"
        )
        self.link.action_import()
        self.run_jobs()

        [attachment] = self.env["ir.attachment"].search(
            [("res_model", "=", "project.task"), ("res_id", "=", self.task_of("Order laptops").id)]
        )
        self.assertEqual(attachment.name, "quote_2024.pdf")
        self.assertEqual(attachment.mimetype, "application/pdf")
        self.assertEqual(attachment.raw, b"%PDF-1.4 quote")

    def test_template_cards_have_no_task_and_a_card_made_a_template_archives_its_task(self):
        template = self.trello.add_card(self.sample["lists"]["To do"], "New hire template", is_template=True)
        self.link.action_import()
        self.run_jobs()
        self.trello.update_card(self.sample["cards"]["Order laptops"], isTemplate=True)
        self.deliver()
        self.run_jobs()

        self.assertFalse(self.env["project.task"]._connector_find(self.backend, "card", [template]))
        self.assertFalse(self.env["project.task"].search([("name", "=", "New hire template")]))
        self.assertFalse(self.task_of("Order laptops").active)

    def test_deliveries_signed_with_the_registered_url_pass_after_web_base_url_changes(self):
        registered = self.link.webhook_callback_url
        self.assertEqual(registered, self.backend.webhook_url)
        self.assertEqual(self.trello.webhooks[self.link.webhook_id]["callbackURL"], registered)
        # An administrator logs in at another address of the same server: Odoo rewrites web.base.url.
        base = urlsplit(registered)
        other_host = "localhost" if base.hostname != "localhost" else "127.0.0.1"
        self.env["ir.config_parameter"].set_param("web.base.url", f"{base.scheme}://{other_host}:{base.port}")
        self.backend.invalidate_recordset(
            ["webhook_url"]
        )  # computed from the parameter, as a new request would
        self.assertNotEqual(self.backend.webhook_url, registered)

        self.trello.move_card(self.sample["cards"]["Order laptops"], self.sample["lists"]["Done"])
        self.assertEqual(self.deliver(), [200], "signed with the registered URL: accepted")
        self.run_jobs()
        self.assertEqual(self.task_of("Order laptops").stage_id.name, "Done")

        old_webhook = self.link.webhook_id
        self.backend.action_check_health()

        self.assertEqual(self.link.webhook_callback_url, self.backend.webhook_url)
        self.assertNotIn(old_webhook, self.trello.webhooks, "the webhook at the old address is gone")
        [webhook] = self.trello.webhooks.values()
        self.assertEqual((webhook["callbackURL"], webhook["active"]), (self.backend.webhook_url, True))
        self.assertIn("registered again", self.backend.health_message)
        self.trello.move_card(self.sample["cards"]["Order laptops"], self.sample["lists"]["Doing"])
        self.assertEqual(self.deliver(), [200])
        self.run_jobs()
        self.assertEqual(self.task_of("Order laptops").stage_id.name, "Doing")

    def test_the_health_check_reactivates_a_webhook_trello_disabled(self):
        self.trello.deactivate_webhook(self.link.webhook_id)

        self.backend.action_check_health()

        self.assertTrue(self.trello.webhooks[self.link.webhook_id]["active"])
        self.assertIn("re-activated", self.backend.health_message)
