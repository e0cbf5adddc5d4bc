import requests

from odoo import api, models

# What each of the emulator's sample apps feeds, by the name of its items.
DEMO_FEEDS = {"Contact": "res.partner", "Order": "sale.order", "Line": "sale.order.line"}


class PodioBackendDemo(models.Model):
    """The demo of ``make run``: a backend on the local Podio emulator. Only the demo and
    its tests call it."""

    _inherit = "podio.backend"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _connector_demo_setup(self, emulator_url, public_base_url=None):
        """A backend signed in to the emulator as its service account, its apps linked (their
        hooks and imports run as jobs). Returns the lines to print."""
        emulator_url = emulator_url.rstrip("/")
        credentials = requests.get(f"{emulator_url}/demo/credentials", timeout=10).json()
        backend = self.search([("api_url", "=", emulator_url)], limit=1) or self.create(
            {"name": self.env._("Podio demo (local emulator)"), "api_url": emulator_url}
        )
        values = {
            "auth_mode": "password",
            "oauth_client_id": credentials["client_id"],
            "oauth_client_secret": credentials["client_secret"],
            "podio_username": credentials["username"],
            "podio_password": credentials["password"],
        }
        if public_base_url:
            values["public_base_url"] = public_base_url
        backend.write(values)
        grant_type, params = backend._podio_grant()
        backend._oauth_fetch_token(grant_type, **params)
        backend._connector_identify()
        choices = self.env["podio.app.link"]._apps_to_offer(backend)
        linked = backend.with_context(active_test=False).app_ids
        # A demo served again: the emulator starts afresh, so its hooks and items are set up again.
        linked.filtered("active")._enqueue_hooks()
        linked.filtered("active")._enqueue_import()
        linked = set(linked.mapped("app_id"))
        # Contacts first, then orders, then their lines: each import finds what it refers to.
        order = list(DEMO_FEEDS)
        for choice in sorted(choices, key=lambda choice: order.index(choice["item_name"])):
            if choice["external_id"] not in linked:
                self.env["podio.app"].create(
                    {
                        **{key: value for key, value in choice.items() if key != "external_id"},
                        "app_id": choice["external_id"],
                        "backend_id": backend.id,
                        "odoo_model": DEMO_FEEDS[choice["item_name"]],
                    }
                )
        # The demo's products do not exist in a new database: its lines create them.
        self.env["connector.field.mapping"].search(
            [
                ("backend_model", "=", self._name),
                ("backend_id", "=", backend.id),
                ("odoo_model", "=", "sale.order.line"),
                ("odoo_field", "=", "product_id"),
            ]
        ).create_missing = True
        names = ", ".join(backend.app_ids.mapped("name"))
        return [
            f"Podio demo: backend {backend.display_name!r} (id {backend.id}) on {emulator_url}",
            f"  apps linked: {names}; hooks post to {backend.webhook_url}/<secret>",
            f"  add or rename contacts, rename orders on {emulator_url}/: see them arrive in Contacts, Sales",
        ]
