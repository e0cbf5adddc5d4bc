import zlib
from datetime import datetime, timedelta, timezone

from odoo import sql_db
from odoo.exceptions import ValidationError

from .common import SproutCase

PORTUGAL = 6921  # the sample's LinkedIn profile: Miguel Santos, Joana (pt, her email), Pedro
ACME = 4921  # the sample's Instagram profile


class TestLeads(SproutCase):
    """Messages from authors no customer matches become leads where the rules say, one per
    author and conversation."""

    def setUp(self):
        super().setUp()
        self.sync_metadata()
        self.tick("ACME Portugal")
        self.team = self.env["crm.team"].create({"name": "Social sales", "user_id": self.env.user.id})
        self.Lead = self.env["crm.lead"].with_context(active_test=False)

    def rule(self, **values):
        return self.env["sprout.lead.rule"].create(
            {"name": "Store questions", "team_id": self.team.id, **values}
        )

    def receive(self, text, author=("Joana", "joana_l"), profile=PORTUGAL, **options):
        """A new message, a minute old (poll windows end before the present second)."""
        moment = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=1)
        return self.sprout.add_message(profile, text, author=author, created_time=moment, **options)

    def by_author(self, name):
        return self.messages().filtered(lambda message: message.author_name == name)

    def leads(self):
        return self.Lead.search([("sprout_conversation_key", "like", f"{self.backend.id}:%")])

    def test_a_message_meeting_a_rule_makes_a_lead_with_its_source_team_and_message(self):
        self.rule(keywords="store, opening hours")

        self.poll()

        joana = self.by_author("Joana")
        lead = self.leads()
        self.assertEqual(len(lead), 1, "only Joana asks about the store")
        self.assertEqual(joana.lead_id, lead)
        self.assertEqual(lead.contact_name, "Joana")
        self.assertEqual(
            (lead.email_from, lead.phone), ("joana@example.com", False), "written in her message"
        )
        self.assertEqual(lead.source_id, self.env.ref("connector_sprout.utm_source_sprout"))
        self.assertEqual(lead.source_id.name, "Sprout Social")
        self.assertEqual(lead.team_id, self.team)
        self.assertIn("Lisbon store", lead.description)
        self.assertIn(joana.permalink, lead.description)
        self.assertFalse((self.messages() - joana).lead_id)
        self.assertFalse(self.jobs(state="failed"))
        self.assertEqual(self.backend.lead_count, 1)
        action = self.backend.action_view_leads()
        self.assertEqual(self.env["crm.lead"].search(action["domain"]), lead)

    def test_a_lead_takes_the_phone_its_author_wrote(self):
        self.rule(keywords="store")
        self.receive("Is the Porto store open late? Call me on +351 912 345 678", author=("Rita", "rita_p"))

        self.poll()

        lead = self.leads().filtered(lambda lead: lead.contact_name == "Rita")
        self.assertEqual((lead.phone, lead.email_from), ("+351 912 345 678", False))

    def test_an_author_matched_to_a_customer_makes_no_lead(self):
        self.env["res.partner"].create({"name": "Joana Lopes", "email": "joana@example.com"})
        self.rule(keywords="store")

        self.poll()

        self.assertEqual(self.by_author("Joana").match_method, "email")
        self.assertFalse(self.leads())

    def test_no_rule_no_lead(self):
        self.poll()

        self.assertEqual(len(self.messages()), 3)
        self.assertFalse(self.leads())

    def test_a_rule_holds_only_for_its_languages_post_types_and_profiles(self):
        self.tick("ACME")
        portugal = self.backend.profile_ids.filtered(lambda profile: profile.name == "ACME Portugal")
        self.rule(
            name="English collection",
            keywords="collection",
            languages="en",
            profile_ids=[(6, 0, portugal.ids)],
        )
        self.rule(name="Portuguese", keywords="store", languages="fr")
        self.rule(name="Direct messages", post_types="INSTAGRAM_DIRECT_MESSAGE")
        self.receive(
            "hello there", author=("Sofia", "sofia"), profile=ACME, post_type="INSTAGRAM_DIRECT_MESSAGE"
        )

        self.poll()

        made = self.messages().filtered("lead_id")
        self.assertEqual(
            sorted((message.author_name, message.profile_id.name) for message in made),
            [("Miguel Santos", "ACME Portugal"), ("Sofia", "ACME")],
            "Miguel's comment on Instagram and Joana's question (not in French) make none",
        )

    def test_a_pattern_picks_messages_no_keyword_names(self):
        self.rule(keywords="", pattern=r"\bsunday\b")

        self.poll()

        self.assertEqual(self.leads().contact_name, "Joana")

    def test_a_bad_pattern_is_refused_in_words(self):
        with self.assertRaises(ValidationError) as refused:
            self.rule(pattern="(unclosed")

        self.assertIn("is not a regular expression", str(refused.exception))

    def test_one_lead_per_author_and_conversation_and_none_twice(self):
        self.rule(keywords="store, order")
        self.poll()
        first = self.leads()

        self.receive("And my order?")
        self.receive("Another order, another case", case_id="981")
        self.poll()
        self.poll()

        joana = self.by_author("Joana")
        self.assertEqual(len(joana), 3)
        self.assertEqual(len(self.leads()), 2, "the case is a conversation of its own")
        self.assertEqual(joana.filtered(lambda message: not message.case_id).lead_id, first)
        self.assertEqual(first.sprout_message_count, 2)

    def test_a_lost_lead_is_not_made_again(self):
        self.rule(keywords="store, order")
        self.poll()
        lost = self.leads()
        lost.action_archive()

        self.receive("Still no answer about my order")
        self.poll()

        self.assertEqual(self.leads(), lost)
        self.assertEqual(lost.sprout_message_count, 2)

    def test_an_urgent_message_gives_the_team_leader_a_todo(self):
        leader = self.env["res.users"].create({"name": "Lea Leader", "login": "lea.leader.sprout"})
        self.team.user_id = leader
        self.rule(keywords="order", urgent_keywords="urgent, asap")
        self.receive("URGENT: my order arrived broken", author=("Rui", "rui.m"))
        self.receive("About my order, when you can", author=("Ana", "ana.c"))

        self.poll()

        urgent = self.by_author("Rui").lead_id
        calm = self.by_author("Ana").lead_id
        self.assertEqual(len(urgent.activity_ids), 1)
        self.assertEqual(urgent.activity_ids.user_id, leader)
        self.assertIn("Urgent Sprout Social message from Rui", urgent.activity_ids.summary)
        self.assertFalse(calm.activity_ids)

    def test_two_jobs_on_one_conversation_make_one_lead(self):
        """Another job holding the conversation's claim (a second connection, committed
        work in progress) makes this import wait and try again; it then makes one lead."""
        self.rule(keywords="store")
        joana = next(
            m
            for m in self.sprout.messages
            if m["from"]["screen_name"] == "joana_l" and m["customer_profile_id"] == PORTUGAL
        )
        self.assertEqual(joana["from"]["guid"], f"lipr:{zlib.crc32(b'joana_l')}")
        profile = self.backend.profile_ids.filtered(lambda profile: profile.name == "ACME Portugal")
        key = f"crm.lead:sprout:{self.backend.id}:linkedin:{joana['from']['guid']}:profile:{profile.id}"
        with sql_db.db_connect(self.env.cr.dbname).cursor() as other:
            other.execute("SELECT pg_advisory_xact_lock(hashtext('connector.match'), hashtext(%s))", [key])

            self.poll()

            poll = self.jobs(method_name="_job_poll")
            self.assertEqual(poll.state, "pending", "the poll storing the messages waits for the other job")
            self.assertFalse(self.leads())
            other.rollback()
        self.make_due(poll)

        self.run_jobs()

        self.assertEqual(poll.state, "done")
        self.assertEqual(len(self.leads()), 1)
        self.assertEqual(self.by_author("Joana").lead_id, self.leads())


class TestSmartButtons(SproutCase):
    """Customers and leads show their social messages, newest first."""

    def setUp(self):
        super().setUp()
        self.sync_metadata()
        self.tick("ACME", "ACME Portugal")

    def opened(self, action):
        return self.env[action["res_model"]].search(action["domain"])

    def test_a_company_lists_its_contacts_messages_newest_first(self):
        company = self.env["res.partner"].create({"name": "Lopes Lda", "is_company": True})
        joana = self.env["res.partner"].create(
            {"name": "Joana Lopes", "email": "joana@example.com", "parent_id": company.id}
        )
        other = self.env["res.partner"].create({"name": "Someone else"})

        self.poll()

        ours = self.messages().filtered(lambda message: message.author_name == "Joana")
        self.assertEqual(len(ours), 2, "on Instagram and on LinkedIn")
        self.assertEqual((company.sprout_message_count, joana.sprout_message_count), (2, 2))
        self.assertEqual(other.sprout_message_count, 0)
        listed = self.opened(company.action_view_sprout_messages())
        self.assertEqual(listed, ours)
        self.assertEqual(list(listed), list(ours.sorted(lambda message: message.created_time, reverse=True)))
        self.assertEqual(self.opened(joana.action_view_sprout_messages()), ours)

    def test_a_lead_lists_its_messages_newest_first(self):
        self.env["sprout.lead.rule"].create({"name": "Praise", "keywords": "service"})
        self.poll()
        moment = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=1)
        self.sprout.add_message(
            PORTUGAL, "Great service again", author=("Pedro", "pedro.r"), created_time=moment
        )
        self.poll()
        pedro = self.messages().filtered(lambda message: message.author_name == "Pedro")
        self.assertEqual(len(pedro.lead_id), 2, "one lead per profile Pedro wrote to")
        on_linkedin = pedro.filtered(lambda message: message.profile_id.name == "ACME Portugal")
        lead = on_linkedin.lead_id

        listed = self.opened(lead.action_view_sprout_messages())

        self.assertEqual(lead.sprout_message_count, 2)
        self.assertEqual(
            list(listed), list(on_linkedin.sorted(lambda message: message.created_time, reverse=True))
        )
        self.assertEqual(listed[0].text, "Great service again")
