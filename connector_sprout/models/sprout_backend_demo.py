import requests

from odoo import api, models


class SproutBackendDemo(models.Model):
    """The demo of ``make run``: a backend on the local Sprout emulator. Only the demo and
    its tests call it."""

    _inherit = "sprout.backend"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _connector_demo_setup(self, emulator_url, public_base_url=None):
        """A backend on the emulator's API token, its customer read, its profiles read and
        all ticked to sync, and a first poll queued. Returns the lines to print.
        ``public_base_url`` is not needed: Sprout calls nothing back."""
        emulator_url = emulator_url.rstrip("/")
        credentials = requests.get(f"{emulator_url}/demo/credentials", timeout=10).json()
        backend = self.search([("api_url", "=", emulator_url)], limit=1) or self.create(
            {"name": self.env._("Sprout Social demo (local emulator)"), "api_url": emulator_url}
        )
        backend.write({"auth_type": "api_token", "api_token": credentials["api_token"]})
        backend._connector_identify()
        backend._job_sync_metadata(None)
        backend.profile_ids.filtered(lambda profile: not profile.sync_messages).sync_messages = True
        backend._connector_enqueue_polls()
        return [
            f"Sprout Social demo: backend {backend.display_name!r} (id {backend.id}) on the emulator at "
            f"{emulator_url}, customer {backend.customer_name} ({backend.customer_id})",
            f"  {len(backend.profile_ids)} profiles ticked to sync; the inbox is polled every 5 minutes "
            "(Sync now on the backend polls at once)",
            f"  receive new comments on {emulator_url}/ and watch them arrive in Connectors > Sprout Social",
        ]
