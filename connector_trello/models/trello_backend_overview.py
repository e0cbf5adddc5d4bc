from odoo import models

from odoo.addons.connector_base.lib.errors import AuthenticationError

from ..lib.cards import CARD


class TrelloBackendOverview(models.Model):
    """What the connectors' overview and health check show of a Trello backend: the
    token, the boards' webhooks, the addresses of cards and boards."""

    _inherit = "trello.backend"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ health
    def _health_checks(self):
        checks = super()._health_checks()
        if not self._connector_credentials_ready():
            return checks
        try:
            with self._trello_session() as client:
                me = client.me()
                checks.append(
                    (self.env._("Trello authorization"), True, self.env._("Token of %s", me.get("fullName")))
                )
                checks.append(self.board_ids.filtered("active")._check_webhooks(client))
        except AuthenticationError as error:
            self._connector_credentials_refused(error)
            checks.append(
                (
                    self.env._("Trello authorization"),
                    False,
                    self._trello_token_refused_text(error),
                )
            )
        return checks

    # ------------------------------------------------------------------ overview
    def _connector_needs_reauthorization(self):
        return self.needs_reauthorization

    def _connector_external_urls(self, bindings):
        """A card's address is kept on its task, a board's on its link."""
        cards = bindings.filtered(lambda binding: binding.external_type == CARD)
        tasks = self.env["project.task"].sudo().browse(cards.mapped("res_id")).exists()
        by_task = {task.id: task.trello_card_url for task in tasks}
        by_board = {link.board_id: link.url for link in self.board_ids}
        urls = {}
        for binding in bindings:
            bound = by_task if binding.external_type == CARD else by_board
            key = binding.res_id if binding.external_type == CARD else binding.external_id
            if bound.get(key):
                urls[binding.id] = bound[key]
        return urls

    def _connector_webhook_health(self):
        boards = self.board_ids.filtered("active")
        if not boards:
            return super()._connector_webhook_health()
        missing = boards.filtered(lambda link: not link.webhook_active)
        if missing:
            return "error", self.env._(
                "%(count)s of %(total)s boards without an active webhook",
                count=len(missing),
                total=len(boards),
            )
        return "ok", self.env._("Active on %(count)s board(s)", count=len(boards))

    def _connector_webhook_action(self):
        action = self.action_view_boards()
        action["name"] = self.env._("Boards and webhooks of %(backend)s", backend=self.display_name)
        return action
