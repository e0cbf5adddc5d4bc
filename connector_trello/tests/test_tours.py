from odoo.tests import tagged

from .common import TrelloCase


@tagged("post_install", "-at_install")
class TestTrelloTours(TrelloCase):
    """A person links a board in the browser and finds what the sync did."""

    def test_tour_link_a_board_sync_and_see_its_history(self):
        self.start_tour("/odoo/settings", "connector_trello_link_tour", login="admin")
        link = self.env["trello.board"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(link.name, "IT", "the board ticked in the wizard is linked")
        # The runner's work, between the two tours: the browser's requests hold the test
        # cursor, and registering the webhook makes the emulator call Odoo back, without
        # the browser's test cookie, which Odoo's runner refuses after a tour unless told.
        self.http_request_strict_check = False
        self.run_jobs()
        self.assertFalse(self.jobs(state="failed"), self.jobs(state="failed").mapped("error_message"))
        self.assertTrue(self.task_of("Install printer"))
        self.start_tour(
            "/odoo/action-connector_base.action_connector_overview",
            "connector_trello_check_tour",
            login="admin",
        )
