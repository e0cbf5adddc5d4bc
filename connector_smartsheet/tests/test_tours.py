from odoo.tests import tagged

from emulators.smartsheet import load_demo

from ..models.smartsheet_demo import DEMO_TOKEN
from .common import SmartsheetCase


@tagged("post_install", "-at_install")
class TestSmartsheetTours(SmartsheetCase):
    """A person links the demo sheet in the browser and finds what the sync did."""

    def setUp(self):
        super().setUp()
        self.emulator.tokens[DEMO_TOKEN] = None
        # The demo setup finds a backend by its API URL: the shared test backend has the same.
        self.env["smartsheet.backend"].search([]).active = False
        load_demo(self.emulator)
        demo_url = self.emulator.api_url.removesuffix("/2.0")
        self.env["smartsheet.backend"]._connector_demo_setup(demo_url)
        self.backend = self.env["smartsheet.backend"].search([("name", "=", "Smartsheet demo")])
        # Subscribing makes Smartsheet call Odoo back during the wizard's own request, which
        # holds the test cursor: the tour links the sheet without a webhook, polling instead.
        self.backend.use_webhooks = False

    def test_tour_link_a_sheet_sync_and_see_its_history(self):
        self.start_tour("/odoo/settings", "connector_smartsheet_link_tour", login="admin")
        sheet = self.env["smartsheet.sheet"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(sheet.name, "Website Launch", "the sheet ticked in the wizard is linked")
        self.run_jobs()
        failed = self.env["connector.sync.job"].search(
            [
                ("backend_model", "=", "smartsheet.backend"),
                ("backend_id", "=", self.backend.id),
                ("state", "=", "failed"),
            ]
        )
        self.assertFalse(failed, failed.mapped("error_message"))
        self.assertIn("Wireframes", sheet.project_id.task_ids.mapped("name"))
        self.start_tour(
            "/odoo/action-connector_base.action_connector_overview",
            "connector_smartsheet_check_tour",
            login="admin",
        )
