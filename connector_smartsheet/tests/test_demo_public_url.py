from odoo.addons.connector_smartsheet.models.smartsheet_demo import DEMO_TOKEN

from emulators.smartsheet import load_demo

from .common import SmartsheetCase


class TestDemoPublicUrl(SmartsheetCase):
    def test_the_demo_backend_keeps_its_webhook_url_when_odoo_rewrites_web_base_url(self):
        load_demo(self.emulator)
        self.emulator.tokens[DEMO_TOKEN] = None
        Backend = self.env["smartsheet.backend"]
        public = "http://127.0.0.1:8069"

        Backend._connector_demo_setup(self.emulator.base_url, public_base_url=public)
        demo = Backend.search([("custom_api_url", "=", self.emulator.api_url)])
        before = demo.webhook_url
        # An administrator logs in at another host name: Odoo rewrites web.base.url.
        self.env["ir.config_parameter"].set_param("web.base.url", "http://localhost:8069")
        demo.invalidate_recordset(["webhook_url"])

        self.assertEqual(demo.public_base_url, public)
        self.assertTrue(before.startswith(public + "/"))
        self.assertEqual(demo.webhook_url, before)
