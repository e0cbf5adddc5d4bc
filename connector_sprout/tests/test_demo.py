from odoo.addons.connector_sprout.tests.emulator import DemoPages

from .common import SproutCase


class TestDemo(SproutCase):
    def test_demo_setup_shows_profiles_and_messages_arriving_without_a_failed_job(self):
        DemoPages(self.sprout)
        self.backend.unlink()

        lines = self.env["sprout.backend"]._connector_demo_setup(self.sprout.base_url)
        backend = self.env["sprout.backend"].search([("api_url", "=", self.sprout.base_url)])
        self.backend = backend
        self.run_jobs()

        self.assertIn("customer ACME Social (687751)", lines[0])
        self.assertEqual(len(backend.profile_ids.filtered("sync_messages")), 3)
        self.assertEqual(len(self.messages()), len(self.sprout.messages))
        self.assertFalse(self.jobs(state="failed"))
        matched = {
            message.author_name: message.match_method for message in self.messages() if message.partner_id
        }
        self.assertEqual(matched, {"Miguel Santos": "name"}, "the demo customer is matched")
        leads = self.messages().lead_id
        self.assertEqual(set(leads.mapped("contact_name")), {"Joana"}, "her question about the store")
        self.assertEqual(leads.source_id.name, "Sprout Social")
        self.assertIn("lead rule 'Shop questions (demo)'", lines[-1])

    def test_demo_setup_twice_keeps_one_backend(self):
        DemoPages(self.sprout)
        Backend = self.env["sprout.backend"]
        Backend._connector_demo_setup(self.sprout.base_url)
        Backend._connector_demo_setup(self.sprout.base_url + "/")

        self.assertEqual(Backend.search_count([("api_url", "=", self.sprout.base_url)]), 1)
