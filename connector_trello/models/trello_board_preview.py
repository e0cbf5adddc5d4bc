from odoo import models

from ..lib.cards import CARD


class TrelloBoard(models.Model):
    """The import preview of a linked board: the import's reads and mapping of its cards."""

    _name = "trello.board"
    _inherit = ["trello.board", "connector.import.preview.mixin"]

    def _connector_preview_model(self):
        return "project.task"

    def _connector_preview_start_import(self):
        self._enqueue_import()

    def _connector_preview_mappings_action(self):
        return self.backend_id.action_view_mappings()

    def _connector_preview_import(self, preview):
        """Read the board and its cards page by page, as the import does (its comments, read
        last, change no task), and make the board's structure (project, stages, members) as the
        import makes it before its cards, which the preview's savepoint takes back."""
        self.ensure_one()
        backend = self.backend_id
        with backend._connector_button_call(), backend._trello_session() as client:
            self._sync_structure(client.board(self.board_id))
            Member = self.env["trello.member"]
            users = Member._users_by_member(backend)
            names = {
                member.member_id: member.full_name
                for member in Member.search([("backend_id", "=", backend.id)])
            }
            for page in client.iter_card_pages(self.board_id):
                self._preview_cards(page, preview, users, names)
            preview.api_calls = client.api_calls

    def _preview_cards(self, cards, preview, users, member_names):
        cards = [card for card in cards if not card.get("isTemplate")]  # templates get no task
        _card_mapper, batch, items = self._map_cards(cards)
        title = {card["id"]: card.get("name") or card["id"] for card in cards}
        for record, error in batch.failed:
            preview.fail_mapping(title[record["id"]], error)
        preview.lose_warnings(
            batch.warnings, refs={f"{CARD} {card_id}": name for card_id, name in title.items()}
        )
        bound = self.env["connector.external.binding"]._lookup(
            self.backend_id, CARD, [item["external_id"] for item in items]
        )
        by_id = {card["id"]: card for card in cards}
        for item in items:
            card_id = item["external_id"]
            preview.add(title[card_id], item["values"], existing=card_id in bound)
            for member in by_id[card_id].get("idMembers") or ():
                if member not in users:
                    preview.lose(
                        title[card_id],
                        "user_ids",
                        member_names.get(member, member),
                        self.env._("this Trello member is no Odoo user: the task is not assigned to them"),
                    )
