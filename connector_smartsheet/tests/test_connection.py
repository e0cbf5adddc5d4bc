from unittest.mock import patch
from urllib.parse import parse_qs, urlsplit

import requests

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.connector_smartsheet.models.smartsheet_demo import DEMO_TOKEN
from odoo.addons.connector_smartsheet.tests.emulator import SHEET, load_demo
from odoo.addons.connector_smartsheet.tests.emulator import TOKEN as TOKEN_ROUTE

from .common import SmartsheetCase

RATE_LIMIT_PAUSE = "odoo.addons.connector_smartsheet.lib.client.RATE_LIMIT_PAUSE"


@tagged("post_install", "-at_install")
class TestConnection(SmartsheetCase):
    def discover(self, backend):
        """The discover wizard as the backend's button opens it."""
        action = backend.action_discover_sheets()
        return self.env[action["res_model"]].with_context(**action["context"]).create({})

    def test_test_connection_calls_the_current_user_endpoint(self):
        self.backend.action_test_connection()

        self.assertEqual(self.backend.account_email, "owner@example.com")
        self.assertEqual([request.path for request in self.emulator.requests], ["/2.0/users/me"])

    def test_the_demo_backend_is_made_once_and_reads_the_demo_sheets(self):
        load_demo(self.emulator)
        self.emulator.tokens[DEMO_TOKEN] = None
        Backend = self.env["smartsheet.backend"]

        lines = Backend._connector_demo_setup(self.emulator.base_url)

        demo = Backend.search([("custom_api_url", "=", self.emulator.api_url)])
        self.assertEqual(len(demo), 1)
        self.assertIn(demo.webhook_url, lines[-1])
        Backend._connector_demo_setup(self.emulator.base_url)
        self.assertEqual(Backend.search_count([("custom_api_url", "=", self.emulator.api_url)]), 1)
        wizard = self.discover(demo)
        self.assertEqual(wizard.line_ids.mapped("name"), ["Website Launch", "Production Plan", "Stock Count"])

    def test_a_refused_token_says_so_without_showing_it(self):
        self.backend.access_token = "pat-wrong-9999999999"

        with self.assertRaises(UserError) as raised:
            self.backend.action_test_connection()

        self.assertIn("1002", str(raised.exception))
        self.assertNotIn("pat-wrong-9999999999", str(raised.exception))

    def test_discover_lists_every_readable_sheet_and_links_the_chosen_ones(self):
        for index in range(3):
            self.make_task_sheet(f"Plan {index}")
        wizard = self.discover(self.backend)
        self.assertEqual(wizard.line_ids.mapped("name"), ["Plan 0", "Plan 1", "Plan 2"])

        chosen = wizard.line_ids[1]
        chosen.write({"selected": True, "project_id": self.project.id, "direction": "import"})
        self.env.flush_all()
        wizard.action_link()
        self.env.invalidate_all()

        sheet = self.env["smartsheet.sheet"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual((sheet.name, sheet.direction, sheet.project_id), ("Plan 1", "import", self.project))
        self.assertEqual(sheet.webhook_status, "ENABLED")
        again = self.discover(self.backend)
        self.assertEqual(again.line_ids.filtered("linked").mapped("name"), ["Plan 1"])

    def test_rate_limiting_is_survived_with_nothing_lost(self):
        sheet_id, _rows = self.make_task_sheet()
        self.backend.page_size = 4
        sheet = self.link(sheet_id)
        # Two 429s are absorbed by the call itself; the third gives the page back to the queue.
        self.emulator.throttle(times=2, route=SHEET)
        with patch(RATE_LIMIT_PAUSE, 0.01):
            self.run_jobs()
        self.assertEqual(len(self.tasks_by_row(sheet)), 10)

        self.emulator.update_cells(sheet_id, self.emulator.sheets[sheet_id].rows[9].id, {"Task Name": "Late"})
        sheet.last_sync_at = sheet.last_sync_at.replace(year=2000)
        self.emulator.throttle(times=3, route=SHEET)
        with patch(RATE_LIMIT_PAUSE, 0.01):
            sheet._enqueue_sync()
            job = self.run_jobs().filtered(lambda ran: ran.method_name == "_job_sync_sheet")
            self.assertEqual((job.state, job.error_class.rsplit(".", 1)[-1]), ("pending", "RateLimitedError"))
            job.next_attempt_at = job.create_date
            self.run_jobs()

        self.assertEqual(job.state, "done")
        self.assertIn(
            "Late", self.env["project.task"].search([("project_id", "=", self.project.id)]).mapped("name")
        )

    def test_unlinking_a_sheet_deletes_its_webhook(self):
        sheet_id, _rows = self.make_task_sheet()
        sheet = self.link(sheet_id)
        webhook = sheet.webhook_id

        sheet.action_unlink_sheet()

        self.assertFalse(self.emulator.webhooks)
        self.assertFalse(webhook.exists())
        self.assertFalse(sheet.active)

    def test_oauth_connects_with_the_hash_and_refreshes_an_expired_token(self):
        admin = self.env.ref("base.user_admin")
        backend = self.backend.copy({"name": "OAuth account", "auth_method": "oauth"}).with_user(admin)
        backend.sudo().write({"oauth_client_id": "odoo-app", "oauth_client_secret": "app-secret-123"})
        self.emulator.register_app("odoo-app", "app-secret-123", backend.oauth_redirect_uri)
        self.env.flush_all()

        start = backend.action_connect()
        consent = requests.get(start["url"], allow_redirects=False, timeout=10)
        self.authenticate("admin", "admin")
        landing = self.url_open(consent.headers["Location"], allow_redirects=False)
        self.env.invalidate_all()

        self.assertEqual(landing.status_code, 303, landing.text)
        self.assertEqual(backend.oauth_state, "connected")
        [exchange] = [request for request in self.emulator.requests if request.route == TOKEN_ROUTE]
        self.assertNotIn("client_secret", exchange.form)
        self.assertEqual(len(exchange.form["hash"]), 64)
        access_token = backend.sudo()._connector_secret("oauth_access_token")
        self.assertIn(access_token, self.emulator.tokens)
        self.assertGreater(backend.oauth_token_expires_at.year, 2000)

        self.emulator.expire_access_token(access_token)
        backend.sudo().action_test_connection()

        refreshed = backend.sudo()._connector_secret("oauth_access_token")
        self.assertNotEqual(refreshed, access_token)
        refresh_call = [request for request in self.emulator.requests if request.route == TOKEN_ROUTE][-1]
        self.assertEqual(refresh_call.form["grant_type"], "refresh_token")
        self.assertEqual(parse_qs(urlsplit(start["url"]).query)["client_id"], ["odoo-app"])
