from odoo.tests import tagged

from odoo.addons.connector_base.tests.killed_create import KilledCreateCase
from odoo.addons.connector_podio.tests.emulator import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    PodioEmulator,
    load_sample,
)


# The servers load the registry of the committed database: at install time the
# connector is not installed there yet.
@tagged("post_install", "-at_install")
class TestItemCreateOnAKilledServer(KilledCreateCase):
    def setUp(self):
        super().setUp()
        self.podio = PodioEmulator()
        self.app_id = load_sample(self.podio)
        self.podio.start()
        self.addCleanup(self.podio.stop)
        with self.committed_env() as env:
            backend = self.keep_for_cleanup(
                env["podio.backend"].create(
                    {
                        "name": "Podio killed server",
                        "api_url": self.podio.base_url,
                        "public_base_url": self.servers[0].url,
                        "oauth_client_id": DEMO_CLIENT_ID,
                        "oauth_client_secret": DEMO_CLIENT_SECRET,
                        "auth_mode": "password",
                        "podio_username": DEMO_USERNAME,
                        "podio_password": DEMO_PASSWORD,
                    }
                )
            )
            grant_type, params = backend._podio_grant()
            backend._oauth_fetch_token(grant_type, **params)
            app = self.keep_for_cleanup(
                env["podio.app"].create(
                    {
                        "backend_id": backend.id,
                        "app_id": str(self.app_id),
                        "name": "Leads & Clients",
                        "direction": "both",
                        "create_items": True,
                    }
                )
            )
            self.app_link_id = app.id
        self.addCleanup(self._remove_bound_partners)
        self.wait_for_backend_jobs()

    def _remove_bound_partners(self):
        """The partners the import and the create bound (committed), before the backend goes."""
        with self.committed_env() as env:
            bindings = env["connector.external.binding"].search(
                [("backend_model", "=", "podio.backend"), ("backend_id", "=", self.backend_ref[1])]
            )
            env["res.partner"].with_context(active_test=False).browse(
                bindings.mapped("res_id")
            ).exists().unlink()

    def test_a_server_killed_while_podio_creates_the_item_leaves_one_item_and_one_binding(self):
        self.start_second_server()
        route = "/item/app/{app_id}/"
        posts = self.podio.count(route, "POST")
        # Podio creates the item and holds its answer until the server running the job is killed.
        held = self.podio.faults.add(hold=120, route=route, method="POST")
        with self.committed_env() as env:
            partner = self.keep_for_cleanup(env["res.partner"].create({"name": "Zoe Zimmer"}))
            partner_id = partner.id
        backend_model, backend_id = self.backend_ref

        self.kill_the_server_holding(
            held,
            [("backend_model", "=", backend_model), ("backend_id", "=", backend_id), ("kind", "=", "export")],
        )

        items = [
            item_id
            for item_id, item in self.podio.items.items()
            if item["_values"]["title"] == [{"value": "Zoe Zimmer"}]
        ]
        self.assertEqual(len(items), 1, "one item")
        self.assertEqual(self.podio.count(route, "POST"), posts + 1, "created once")
        self.assertTrue(
            self.podio.items[items[0]]["external_id"].startswith(f"odoo-res-partner-{partner_id}-")
        )
        with self.committed_env() as env:
            bindings = env["connector.external.binding"].search(
                [
                    ("backend_model", "=", backend_model),
                    ("backend_id", "=", backend_id),
                    ("res_model", "=", "res.partner"),
                    ("res_id", "=", partner_id),
                ]
            )
            self.assertEqual(bindings.mapped("external_id"), [str(items[0])], "one binding, to that item")
        self.assert_intent_forgotten("res.partner", partner_id)
        self.assert_no_error_logged()
