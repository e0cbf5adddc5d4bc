from odoo.tests import tagged

from .common import SproutCase


@tagged("post_install", "-at_install")
class TestSproutTours(SproutCase):
    """A person finds, in the browser, a lead an inbox message made and its messages."""

    def test_tour_backend_messages_and_a_lead(self):
        self.sync_metadata()
        self.tick("ACME Portugal")
        self.env["sprout.lead.rule"].create({"name": "Store questions", "keywords": "store"})
        self.poll()
        lead = self.messages().lead_id
        self.assertEqual(lead.contact_name, "Joana")

        self.start_tour("/odoo/settings", "connector_sprout_leads_tour", login="admin")

        self.assertEqual(lead.sprout_message_count, 1)
