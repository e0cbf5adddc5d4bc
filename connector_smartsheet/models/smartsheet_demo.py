from odoo import api, models

# The personal access token the demo emulator accepts (tests/emulators/smartsheet.py --demo).
DEMO_TOKEN = "smartsheet-demo-token"
DEMO_OWNER = "owner@example.com"
# The products the demo's production plan and stock count name (by reference or name),
# created when missing so that the sample sheets import without a failed row.
DEMO_PRODUCTS = [
    {"default_code": "FURN_8888", "name": "Desk"},
    {"name": "Office Chair"},
    {"default_code": "FURN_7777", "name": "Screw"},
    {"default_code": "FURN_9999", "name": "Paint", "tracking": "lot"},
]


class SmartsheetBackendDemo(models.Model):
    """The demo of ``make run``: a backend on the demo emulator and the Odoo records its sample
    sheets name."""

    _inherit = "smartsheet.backend"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _connector_demo_setup(self, url, public_base_url=None):
        """The backend of the demo emulator at ``url``, created once (``make run`` starts the
        emulator with ``--demo`` and calls this); returns the lines to print.

        ``public_base_url``: the address ``make run`` serves Odoo at. The backend keeps it, so
        its webhook callback stays the same whatever host name a person logs in with (Odoo
        rewrites ``web.base.url`` after an administrator's login)."""
        api_url = f"{url.rstrip('/')}/2.0"
        self._demo_products()
        backend = self.search([("region", "=", "custom"), ("custom_api_url", "=", api_url)], limit=1)
        if not backend:
            backend = self.create(
                {
                    "name": "Smartsheet demo",
                    "region": "custom",
                    "custom_api_url": api_url,
                    "access_token": DEMO_TOKEN,
                }
            )
        if public_base_url and backend.public_base_url != public_base_url:
            backend.public_base_url = public_base_url
        # The sample plan assigns its tasks to this person: without an Odoo user of that
        # address, every assigned row would wait in quarantine.
        if (
            not self.env["res.users"]
            .with_context(active_test=False)
            .search_count([("login", "=", DEMO_OWNER)])
        ):
            self.env["res.users"].create(
                {"name": "Olivia Owner (demo)", "login": DEMO_OWNER, "email": DEMO_OWNER}
            )
        return [
            f"Smartsheet demo: backend {backend.name!r} (id {backend.id}) reads {api_url}; "
            "press Discover sheets on it to link the sample sheets",
            f"  Smartsheet webhook URL: {backend.webhook_url}",
        ]

    @api.model
    def _demo_products(self):
        Product = self.env["product.product"]
        for values in DEMO_PRODUCTS:
            key = "default_code" if "default_code" in values else "name"
            if not Product.search_count([(key, "=", values[key])], limit=1):
                Product.create({**values, "is_storable": True})
