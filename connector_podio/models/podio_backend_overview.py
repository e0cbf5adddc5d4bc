from odoo import models


class PodioBackendOverview(models.Model):
    """What the health check and the connectors' overview show of a Podio backend: the
    credentials, and the hooks of its apps (inactive ones are asked to verify again)."""

    _inherit = "podio.backend"  # pylint: disable=consider-merging-classes-inherited

    def _connector_platform_health(self):
        return self._connector_platform_checks(self.env._("Podio sign-in"), self._podio_platform_checks)

    def _podio_platform_checks(self):
        checks = [(self.env._("Podio sign-in"), True, self._connector_identify())]
        apps = self.app_ids.filtered("active")
        if not apps:
            return checks
        with self._podio_session() as client:
            for app in apps:
                statuses = {str(hook["hook_id"]): hook["status"] for hook in client.hooks(app.app_id)}
                for hook in app.hook_ids:
                    hook.status = "active" if statuses.get(hook.hook_id) == "active" else "inactive"
        waiting = apps.filtered(lambda app: not app.hooks_active)
        waiting._enqueue_hooks()  # created again or asked to verify again, in a job
        checks.append(
            (
                self.env._("Podio hooks"),
                not waiting,
                self.env._("Hooks of %(apps)s asked to verify again.", apps=", ".join(waiting.mapped("name")))
                if waiting
                else self.env._("Active on %(count)s app(s).", count=len(apps)),
            )
        )
        return checks

    def _connector_webhook_health(self):
        apps = self.app_ids.filtered("active")
        health = self._connector_webhook_health_of(apps, "hooks_active", self.env._("app(s)"))
        return health or super()._connector_webhook_health()

    def _connector_webhook_action(self):
        return self._connector_webhook_list_action(self.action_view_apps())
