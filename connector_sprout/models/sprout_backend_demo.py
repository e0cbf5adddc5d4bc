import requests

from odoo import api, models

# A customer one of the demo's sample authors is matched to, by name; the other authors stay
# unmatched, and the lead rule turns their questions into leads.
DEMO_CUSTOMERS = [{"name": "Miguel Santos", "email": "miguel.santos@example.com"}]


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
        self._demo_customers()
        backend._connector_identify()
        backend._job_sync_metadata(None)
        backend.profile_ids.filtered(lambda profile: not profile.sync_messages).sync_messages = True
        rules = self._sprout_demo_lead_rules(backend)
        backend._connector_enqueue_polls()
        backend._sprout_enqueue_analytics()
        return [
            f"Sprout Social demo: backend {backend.display_name!r} (id {backend.id}) on the emulator at "
            f"{emulator_url}, customer {backend.customer_name} ({backend.customer_id})",
            f"  {len(backend.profile_ids)} profiles ticked to sync; the inbox is polled every 5 minutes "
            "(Sync now on the backend polls at once)",
            f"  receive new comments on {emulator_url}/ and watch them arrive in Connectors > Sprout Social",
            "  their analytics arrive in Connectors > Sprout Social > Profile metrics and Post metrics",
            f"  lead rule {rules.name!r}: questions from unknown authors become leads, urgent ones a "
            "to-do (the Leads button on the backend; CRM shows them under Unassigned, not My Pipeline)",
        ]

    @api.model
    def _demo_customers(self):
        Partner = self.env["res.partner"]
        for values in DEMO_CUSTOMERS:
            if not Partner.search_count([("email", "=", values["email"])], limit=1):
                Partner.create(values)

    @api.model
    def _sprout_demo_lead_rules(self, backend):
        """The demo's lead rule, made once: questions about shipping, the stores and orders."""
        Rule = self.env["sprout.lead.rule"].with_context(active_test=False)
        return Rule.search([("backend_id", "=", backend.id)], limit=1) or Rule.create(
            {
                "name": self.env._("Shop questions (demo)"),
                "backend_id": backend.id,
                "keywords": "ship, store, order, price",
                "urgent_keywords": "urgent, broken",
                "team_id": (
                    self.env.ref("sales_team.team_sales_department", raise_if_not_found=False)
                    or self.env["crm.team"]
                ).id,
            }
        )
