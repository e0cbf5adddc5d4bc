from odoo.tests import tagged

from .common import PodioCase


@tagged("post_install", "-at_install")
class TestPodioTours(PodioCase):
    """A person links an app in the browser and finds the contacts it brought."""

    def test_tour_link_an_app_sync_and_see_its_contacts(self):
        self.connect()
        self.start_tour("/odoo/settings", "connector_podio_link_tour", login="admin")
        app = self.env["podio.app"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(app.name, "Leads & Clients", "the app ticked in the wizard is linked")
        # The runner's work, between the two tours (see the Trello tour): creating the hooks
        # makes the emulator queue Podio's hook.verify calls, which stay undelivered here.
        self.http_request_strict_check = False
        self.run_jobs()
        self.assertFalse(self.jobs(state="failed"), self.jobs(state="failed").mapped("error_message"))
        self.assertTrue(self.partner_of(self.sample_item("Ana Silva")))
        self.start_tour(
            "/odoo/action-connector_base.action_connector_overview",
            "connector_podio_check_tour",
            login="admin",
        )
