from odoo import models

from ..lib.cards import CARD


class TrelloBackendOverview(models.Model):
    """What the connectors' overview and health check show of a Trello backend: the
    token, the boards' webhooks, the addresses of cards and boards."""

    _inherit = "trello.backend"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ health
    def _connector_platform_health(self):
        return self._connector_platform_checks(
            self.env._("Trello authorization"), self._trello_platform_checks
        )

    def _trello_platform_checks(self):
        with self._trello_session() as client:
            me = client.me()
            return [
                (self.env._("Trello authorization"), True, self.env._("Token of %s", me.get("fullName"))),
                self.board_ids.filtered("active")._check_webhooks(client),
            ]

    # ------------------------------------------------------------------ overview
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
        health = self._connector_webhook_health_of(boards, "webhook_active", self.env._("board(s)"))
        return health or super()._connector_webhook_health()

    def _connector_webhook_action(self):
        return self._connector_webhook_list_action(self.action_view_boards())
