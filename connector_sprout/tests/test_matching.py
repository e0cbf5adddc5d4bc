from datetime import datetime, timedelta, timezone
from unittest.mock import patch

from odoo.exceptions import UserError

from .common import SproutCase

PORTUGAL = 6921  # the sample's LinkedIn profile: Miguel Santos, Joana (her email), Pedro


class TestMatching(SproutCase):
    """Authors become customers: a binding, then an email or phone in the text, then a name."""

    def setUp(self):
        super().setUp()
        self.sync_metadata()
        self.tick("ACME Portugal")
        self.Partner = self.env["res.partner"]

    def receive(self, text, author):
        """A new message on the LinkedIn profile, a minute old (poll windows end before the
        present second)."""
        moment = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=1)
        return self.sprout.add_message(PORTUGAL, text, author=author, created_time=moment)

    def by_author(self, name):
        return self.messages().filtered(lambda message: message.author_name == name)

    def author_binding(self, message):
        return self.env["connector.external.binding"]._of_external_ids(
            self.backend, "author:linkedin", [message.author_guid]
        )

    def test_an_email_in_the_text_matches_its_contact_and_binds_the_author(self):
        joana = self.Partner.create({"name": "Joana Lopes", "email": "Joana@Example.com"})

        self.poll()

        message = self.by_author("Joana")
        self.assertEqual(
            (message.partner_id, message.match_method, message.match_score), (joana, "email", 1.0)
        )
        self.assertEqual(self.author_binding(message).res_id, joana.id)
        self.assertFalse(self.by_author("Pedro").partner_id)

    def test_a_bound_author_is_known_without_any_clue_in_the_text(self):
        joana = self.Partner.create({"name": "Joana Lopes", "email": "joana@example.com"})
        self.poll()
        self.receive("Thanks for the answer", author=("Joana", "joana_l"))

        self.poll()

        latest = self.by_author("Joana").filtered(lambda message: message.text == "Thanks for the answer")
        self.assertEqual((latest.partner_id, latest.match_method), (joana, "binding"))

    def test_a_bound_contact_deleted_since_is_no_match(self):
        joana = self.Partner.create({"name": "Joana Lopes", "email": "joana@example.com"})
        self.poll()
        first = self.by_author("Joana")
        first.partner_id = False  # a person clears it: the author is unbound
        self.env["connector.external.binding"]._bind(
            self.backend, "author:linkedin", {first.author_guid: joana}
        )
        joana.unlink()
        self.receive("Thanks for the answer", author=("Joana", "joana_l"))

        self.poll()

        latest = self.by_author("Joana").filtered(lambda message: message.text == "Thanks for the answer")
        self.assertFalse(latest.partner_id)

    def test_a_phone_number_in_the_text_matches_the_contact_with_that_number(self):
        self.Partner.create({"name": "Someone else", "phone": "+351 213 000 000"})
        carla = self.Partner.create({"name": "C. Martins", "mobile": "912-345-678"})
        self.receive("Call me on +351 912 345 678 please", author=("Carla", "carla_m"))

        self.poll()

        message = self.by_author("Carla")
        self.assertEqual((message.partner_id, message.match_method), (carla, "phone"))

    def test_a_similar_name_above_the_threshold_is_proposed_with_its_score(self):
        miguel = self.Partner.create({"name": "Miguel Santoz"})

        self.poll()

        message = self.by_author("Miguel Santos")
        self.assertEqual((message.partner_id, message.match_method), (miguel, "name"))
        self.assertTrue(0.85 <= message.match_score < 1.0)
        self.assertFalse(self.author_binding(message), "a name match only proposes")

    def test_a_poll_looks_for_an_authors_name_once_across_its_pages(self):
        rosa = self.Partner.create({"name": "Rosa Tavares"})
        start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=2)
        for number in range(230):  # three pages
            author = ("Rosa Tavares", "rosa_t") if number % 100 == 0 else (f"Fan {number}", f"fan{number}")
            self.sprout.add_message(
                PORTUGAL, f"Comment {number}", author=author, created_time=start + timedelta(minutes=number)
            )
        Backend = type(self.backend)

        with patch.object(
            Backend, "_sprout_match_names", autospec=True, side_effect=Backend._sprout_match_names
        ) as searches:
            self.poll()

        self.assertEqual(len(searches.call_args_list), 3, "one search a page")
        looked_for = [name for call in searches.call_args_list for name in call.args[1]]
        self.assertEqual(looked_for.count("Rosa Tavares"), 1, "the later pages know her match")
        messages = self.by_author("Rosa Tavares")
        self.assertEqual(len(messages), 3)
        self.assertEqual(
            set(messages.mapped(lambda message: (message.partner_id, message.match_method))), {(rosa, "name")}
        )

    def test_a_similar_name_below_the_threshold_is_not_matched(self):
        self.backend.match_name_threshold = 0.99
        self.Partner.create({"name": "Miguel Santoz"})

        self.poll()

        message = self.by_author("Miguel Santos")
        self.assertFalse(message.partner_id)
        self.assertFalse(message.match_method)

    def test_a_correction_is_remembered_for_the_author_and_its_messages(self):
        wrong = self.Partner.create({"name": "Miguel Santoz"})
        right = self.Partner.create({"name": "Mike S."})
        self.receive("Still waiting for my order", author=("Miguel Santos", "msantos"))
        self.poll()
        first, second = self.by_author("Miguel Santos").sorted("id")
        self.assertEqual(first.partner_id, wrong)

        first.partner_id = right

        self.assertEqual((first.match_method, first.match_score), ("manual", 1.0))
        self.assertEqual((second.partner_id, second.match_method), (right, "binding"))
        self.assertEqual(self.author_binding(first).res_id, right.id)
        self.receive("Any news?", author=("Miguel Santos", "msantos"))
        self.poll()
        latest = self.by_author("Miguel Santos").filtered(lambda message: message.text == "Any news?")
        self.assertEqual((latest.partner_id, latest.match_method), (right, "binding"))

    def test_a_correction_to_the_customer_of_another_author_is_refused_in_words(self):
        joana = self.Partner.create({"name": "Joana Lopes", "email": "joana@example.com"})
        self.poll()

        with self.assertRaises(UserError) as refused:
            self.by_author("Pedro").partner_id = joana

        self.assertIn("already the customer of another", str(refused.exception))

    def test_messages_sent_by_us_are_not_matched(self):
        self.Partner.create({"name": "ACME"})
        self.tick("ACME")

        self.poll()

        ours = self.messages().filtered("sent_by_us")
        self.assertTrue(ours)
        self.assertFalse(ours.partner_id)
