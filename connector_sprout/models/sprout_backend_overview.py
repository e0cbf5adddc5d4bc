from odoo import models


class SproutBackendOverview(models.Model):
    """What the health check and the connectors' overview show of a Sprout backend."""

    _inherit = "sprout.backend"  # pylint: disable=consider-merging-classes-inherited

    def _connector_platform_health(self):
        return self._connector_platform_checks(
            self.env._("Sprout Social credential"), self._sprout_platform_checks
        )

    def _sprout_platform_checks(self):
        customer = self._connector_identify()
        synced = self.profile_ids.filtered("sync_messages")
        return [
            (
                self.env._("Sprout Social credential"),
                True,
                self.env._(
                    "Customer %(name)s (%(id)s)", name=customer.get("name") or "-", id=customer["customer_id"]
                ),
            ),
            (
                self.env._("Profiles to sync"),
                bool(synced),
                self.env._(
                    "%(count)s of %(total)s profile(s)", count=len(synced), total=len(self.profile_ids)
                )
                if synced
                else self.env._("No profile is chosen to sync: press Choose profiles."),
            ),
        ]
