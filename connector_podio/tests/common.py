from odoo.tests import HttpCase, tagged

from odoo.addons.connector_base.lib.preview import HOLD_FIRST_IMPORT
from odoo.addons.connector_base.tests.common import (
    EmulatorRequestsMixin,
    PrivateRateLimitsMixin,
    RunJobsMixin,
)
from odoo.addons.connector_podio.tests.emulator import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    PodioEmulator,
    load_sales_sample,
    load_sample,
)


@tagged("post_install", "-at_install")
class PodioCase(PrivateRateLimitsMixin, RunJobsMixin, EmulatorRequestsMixin, HttpCase):
    """End to end against the Podio emulator, over real HTTP both ways.

    Every test gets a fresh emulator (the sample contacts app) and a backend signed in to it
    as the service account. Jobs run in the test's transaction through :meth:`run_jobs`;
    Podio's hook calls reach Odoo's HTTP server when the test sends them (:meth:`deliver`).
    """

    def setUp(self):
        super().setUp()
        self.podio = PodioEmulator()
        self.app_id = load_sample(self.podio)
        self.start_emulator(self.podio)
        self.backend = self.env["podio.backend"].create(
            {
                "name": "Podio",
                "api_url": self.podio.base_url,
                "public_base_url": self.base_url(),
                "oauth_client_id": DEMO_CLIENT_ID,
                "oauth_client_secret": DEMO_CLIENT_SECRET,
                "auth_mode": "password",
                "podio_username": DEMO_USERNAME,
                "podio_password": DEMO_PASSWORD,
            }
        )

    # ------------------------------------------------------------------ helpers
    def connect(self):
        self.backend.action_connect()
        self.assertEqual(self.backend.oauth_state, "connected")

    def link_app(self, app_id=None, odoo_model="res.partner", hold_import=False):
        """Link a sample app (the contacts app by default) through the discovery wizard, run
        its hook and import jobs (``hold_import``: no import); returns the linked app."""
        app_id = str(app_id or self.app_id)
        wizard = (
            self.env["podio.app.link"]
            .with_context(default_backend_id=self.backend.id, **{HOLD_FIRST_IMPORT: hold_import})
            .create({"odoo_model": odoo_model})
        )
        wizard.line_ids.filtered(lambda line: line.external_id == app_id).selected = True
        wizard.action_link()
        self.run_jobs()
        return self.backend.app_ids.filtered(lambda app: app.app_id == app_id)

    def deliver(self, order=None):
        """Send Podio's pending hook calls to Odoo; returns their HTTP statuses."""
        self.env.flush_all()
        statuses = self.podio.deliver_pending(order=order)
        self.env.invalidate_all()
        return statuses

    def verify_hooks(self):
        """Deliver the hooks' ``hook.verify`` calls and run the jobs validating them."""
        self.assertEqual(self.deliver(), [200, 200, 200])
        self.run_jobs()

    def partner_of(self, item_id):
        item_id = str(item_id)
        return (
            self.env["res.partner"]
            .with_context(active_test=False)
            ._connector_find(self.backend, "item", [item_id])
            .get(item_id)
        )

    def sample_item(self, title):
        return next(
            item_id
            for item_id, item in self.podio.items.items()
            if item["_values"]["title"][0]["value"] == title
        )


class PodioSalesCase(PodioCase):
    """The sample contacts app, with the sample sales app (an order per contact) and its
    order lines app; the backend is connected, nothing linked yet."""

    def setUp(self):
        super().setUp()
        self.sales_app_id, self.lines_app_id = load_sales_sample(self.podio, self.app_id)
        self.connect()

    def link_sales(self):
        """Link the contacts, sales and order lines apps, in that order."""
        return (
            self.link_app(),
            self.link_app(self.sales_app_id, "sale.order"),
            self.link_app(self.lines_app_id, "sale.order.line"),
        )

    def products(self, names=("Laser printer", "Toner cartridge", "Installation")):
        return self.env["product.product"].create([{"name": name} for name in names])

    def mapping(self, odoo_model, odoo_field):
        return self.env["connector.field.mapping"].search(
            [
                ("backend_model", "=", "podio.backend"),
                ("backend_id", "=", self.backend.id),
                ("odoo_model", "=", odoo_model),
                ("odoo_field", "=", odoo_field),
            ]
        )

    def order_of(self, item_id):
        item_id = str(item_id)
        return self.env["sale.order"]._connector_find(self.backend, "item", [item_id]).get(item_id)

    def order_titled(self, title):
        return self.order_of(self.sample_item(title))
