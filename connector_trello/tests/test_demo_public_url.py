from odoo.addons.connector_trello.tests.emulator import DemoPages

from .common import TrelloCase


class TestDemoPublicUrl(TrelloCase):
    def test_the_demo_backend_keeps_its_webhook_url_when_odoo_rewrites_web_base_url(self):
        DemoPages(self.trello)
        public = self.base_url()  # the address `make run` serves, here the test server's
        self.env["ir.config_parameter"].set_param("web.base.url", public)

        self.env["trello.backend"]._connector_demo_setup(self.trello.base_url, public_base_url=public)
        self.run_jobs()
        # An administrator logs in at another host name: Odoo rewrites web.base.url.
        self.env["ir.config_parameter"].set_param("web.base.url", public.replace("127.0.0.1", "localhost"))
        self.backend.invalidate_recordset(["webhook_url"])

        registered = [hook["callbackURL"] for hook in self.trello.webhooks.values()]
        self.assertEqual(registered, [f"{public}/connector/trello/webhook/{self.backend.id}"])
        self.assertEqual(self.backend.public_base_url, public)
        self.assertEqual(self.backend.webhook_url, registered[0])
        self.trello.take_pending()
        self.trello.move_card(self.sample["cards"]["Order laptops"], self.sample["lists"]["Done"])
        self.assertEqual(self.deliver(), [200])
