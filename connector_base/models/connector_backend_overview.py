from datetime import timedelta

from odoo import api, fields, models
from odoo.tools.misc import format_datetime

from .connector_backend_health import CIRCUIT_BREAKER_REASON

# What the dashboard card says of a backend, most urgent first.
OVERVIEW_STATES = {
    "needs_reauth": "danger",
    "circuit_open": "danger",
    "paused": "warning",
    "not_connected": "warning",
    "connected": "success",
}
# Figures a card shows; each opens the list it counts (action_overview_open).
OVERVIEW_FIGURES = ("pending", "failed", "quarantine", "conflicts", "done", "webhooks")


class ConnectorBackendOverview(models.AbstractModel):
    """The Connectors dashboard's card of a backend, the same for every platform.

    ``connector.overview`` lists the backends of every model inheriting the mixin;
    each builds its card here. A platform overrides the hooks below where it
    knows more (re-authorization, webhooks); the dashboard never names platforms.
    """

    _inherit = "connector.backend.mixin"  # pylint: disable=consider-merging-classes-inherited

    # A platform without webhooks (Sprout Social) sets this: its changes come by polling, and
    # the card says so instead of reporting webhooks it cannot have.
    _connector_polls_only = False

    # ------------------------------------------------------------------ hooks
    def _connector_platform_name(self):
        """The platform's name as a person says it ("Trello")."""
        return self._description.removesuffix(" Backend")

    def _connector_external_urls(self, bindings):
        """{binding id: address of its object on the platform} for this backend's
        ``bindings``, read in one go (platform hook; none by default)."""
        return {}

    def _connector_webhook_health(self):
        """(level, text) of this backend's webhooks: level is ok, warning, error or none.

        The default tells from the deliveries received; platforms that know the state
        of each webhook on their side say more.
        """
        self.ensure_one()
        last = (
            self.env["connector.webhook.event"]
            .sudo()
            .search([("backend_model", "=", self._name), ("backend_id", "=", self.id)], limit=1)
        )
        when = last and format_datetime(self.env, last.received_at)
        if self._connector_polls_only:
            if not last:
                return "none", self.env._("No change seen by polling yet")
            return "ok", self.env._("Last change seen %(when)s", when=when)
        if not last:
            return "none", self.env._("No webhook delivery received yet")
        return "ok", self.env._("Last delivery %(when)s", when=when)

    def _connector_webhook_health_of(self, watched, working_field, label):
        """(level, text) for the webhooks a platform keeps on ``watched`` (hooks, or the
        containers they watch), those whose ``working_field`` (a field path) is false being broken: an
        error naming the first broken one, else ok; None when nothing is watched, for the
        caller to fall back on the default. ``label`` says what ``watched`` counts ("board(s)")."""
        if not watched:
            return None
        broken = watched - watched.filtered(working_field)
        if broken:
            return "error", self.env._(
                "%(count)s of %(total)s %(label)s without an active webhook: %(first)s",
                count=len(broken),
                total=len(watched),
                label=label,
                first=broken[0].display_name,
            )
        return "ok", self.env._("Active on %(count)s %(label)s", count=len(watched), label=label)

    def _connector_webhook_action(self):
        """The list behind the webhook figure (platform hook): the deliveries by default."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Webhook deliveries of %(backend)s", backend=self.display_name),
            "res_model": "connector.webhook.event",
            "views": [[False, "list"]],
            "domain": [("backend_model", "=", self._name), ("backend_id", "=", self.id)],
        }

    def _connector_webhook_list_action(self, action):
        """``action`` (the list of what the platform's webhooks watch) as the webhook figure's
        list: named after that list and this backend."""
        self.ensure_one()
        return {
            **action,
            "name": self.env._(
                "%(list)s and webhooks of %(backend)s", list=action["name"], backend=self.display_name
            ),
        }

    def action_sync_now(self):
        """Queue a synchronization of everything this backend links (platform hook)."""
        raise NotImplementedError(f"{self._name} does not say how to sync now")

    # ------------------------------------------------------------------ the card
    def _connector_overview_state(self, pauses):
        self.ensure_one()
        own = pauses.filtered(lambda pause: pause.backend_model == self._name and pause.backend_id == self.id)
        # One meaning for every credential kind (token, key, OAuth): set by the refusal policy.
        if self.needs_reauthorization:
            return "needs_reauth"
        if any(pause.reason == CIRCUIT_BREAKER_REASON for pause in own):
            return "circuit_open"
        if self.paused:
            return "paused"
        if not self._connector_credentials_ready():
            return "not_connected"
        return "connected"

    def _connector_overview_cards(self):
        """One dict per backend in ``self``, with every figure counted in a few grouped queries."""
        if not self:
            return []
        Job = self.env["connector.sync.job"].sudo()
        domain = self._job_domain()
        by_state = {
            (backend_id, state, quarantine): count
            for backend_id, state, quarantine, count in Job._read_group(
                [*domain, ("state", "in", ("pending", "running", "failed"))],
                ["backend_id", "state", "quarantine"],
                ["__count"],
            )
        }
        last_done = dict(
            Job._read_group([*domain, ("state", "=", "done")], ["backend_id"], ["finished_at:max"])
        )
        conflicts = dict(
            self.env["connector.sync.conflict"]
            .sudo()
            ._read_group(
                [("backend_model", "=", self._name), ("backend_id", "in", self.ids), ("state", "=", "open")],
                ["backend_id"],
                ["__count"],
            )
        )
        pauses = self._active_pauses()
        states = dict(self._overview_state_labels())
        cards = []
        for backend in self:
            state = backend._connector_overview_state(pauses)
            webhook_level, webhook_text = backend._connector_webhook_health()
            pending = sum(
                by_state.get((backend.id, s, q), 0) for s in ("pending", "running") for q in (True, False)
            )
            cards.append(
                {
                    "model": backend._name,
                    "id": backend.id,
                    "name": backend.display_name,
                    "platform": backend._connector_platform_name(),
                    "state": state,
                    "state_label": states[state],
                    "state_color": OVERVIEW_STATES[state],
                    "paused": backend.paused,
                    "last_success_at": last_done.get(backend.id)
                    and fields.Datetime.to_string(last_done[backend.id]),
                    "pending": pending,
                    "failed": by_state.get((backend.id, "failed", False), 0),
                    "quarantine": by_state.get((backend.id, "failed", True), 0),
                    "conflicts": conflicts.get(backend.id, 0),
                    "webhook_label": self.env._("Polling")
                    if backend._connector_polls_only
                    else self.env._("Webhooks"),
                    "webhook_level": webhook_level,
                    "webhook_text": webhook_text,
                    "health_state": backend.health_state,
                    "health_message": backend.health_message or "",
                }
            )
        return cards

    def _overview_state_labels(self):
        return [
            ("connected", self.env._("Connected")),
            ("not_connected", self.env._("Not connected")),
            ("needs_reauth", self.env._("Needs re-authorisation")),
            ("paused", self.env._("Paused")),
            ("circuit_open", self.env._("Circuit open")),
        ]

    def action_overview_open(self, figure):
        """The list a card's figure counts, filtered to this backend."""
        self.ensure_one()
        if figure not in OVERVIEW_FIGURES:
            raise ValueError(f"No figure {figure!r} on the overview")
        if figure == "webhooks":
            return self._connector_webhook_action()
        if figure == "conflicts":
            action = self.env["ir.actions.act_window"]._for_xml_id(
                "connector_base.action_connector_sync_conflict"
            )
            action["domain"] = [
                ("backend_model", "=", self._name),
                ("backend_id", "=", self.id),
                ("state", "=", "open"),
            ]
            action["name"] = self.env._("Open conflicts of %(backend)s", backend=self.display_name)
            action["context"] = {}
            return action
        domains = {
            "pending": (
                [("state", "in", ("pending", "running"))],
                self.env._("Jobs waiting for %(backend)s"),
            ),
            "failed": (
                [("state", "=", "failed"), ("quarantine", "=", False)],
                self.env._("Failed jobs of %(backend)s"),
            ),
            "quarantine": (
                [("state", "=", "failed"), ("quarantine", "=", True)],
                self.env._("Records of %(backend)s in quarantine"),
            ),
            "done": ([("state", "=", "done")], self.env._("Finished jobs of %(backend)s")),
        }
        extra, title = domains[figure]
        action = self.action_view_jobs()
        action["domain"] = [*self._job_domain(), *extra]
        action["name"] = title % {"backend": self.display_name}
        action["context"] = {}
        return action

    def action_overview_toggle_pause(self):
        """The card's Pause button: pause a running backend, resume a paused one."""
        self.ensure_one()
        if self.paused:
            self.action_resume()
        else:
            self.action_pause(reason=self.env._("Paused from the Connectors overview"))
        return True


class ConnectorOverview(models.AbstractModel):
    """What the Connectors dashboard (the ``connector_base.overview`` client action) shows."""

    _name = "connector.overview"
    _description = "Connectors Overview"

    @api.model
    def get_overview(self):
        """The cards of every backend the user may read, whatever its connector, and the
        figures of the jobs-per-hour graph below them."""
        cards = []
        for model_name in sorted(self.env.registry.descendants(["connector.backend.mixin"], "_inherit")):
            Backend = self.env[model_name]
            if Backend._abstract or not Backend.has_access("read"):
                continue
            cards += Backend.search([("active", "=", True)])._connector_overview_cards()
        since = fields.Datetime.now() - timedelta(hours=48)
        return {
            "cards": cards,
            "graph_domain": [("hour_start", ">=", fields.Datetime.to_string(since))],
            "graph_view_id": self.env["ir.model.data"]._xmlid_to_res_id(
                "connector_base.connector_sync_job_hourly_view_graph"
            ),
        }
