import re

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.connector_base.lib.errors import NotFoundError
from odoo.addons.connector_base.lib.preview import HOLD_FIRST_IMPORT

# https://trello.com/b/<shortLink>/<slug>, or a bare id / short link.
BOARD_URL = re.compile(r"trello\.com/b/([A-Za-z0-9]+)")


class TrelloBoardLink(models.TransientModel):
    """Link Trello boards to projects: pick among the token's boards or paste a board's URL."""

    _name = "trello.board.link"
    _inherit = "connector.link.wizard"
    _description = "Link Trello Boards"
    _link_target = ("trello.board", "board_id")

    backend_id = fields.Many2one("trello.backend", required=True, ondelete="cascade")
    line_ids = fields.One2many("trello.board.link.line", "wizard_id", string="Boards")
    board_ref = fields.Char(string="Board URL or ID", help="For a board not in the list.")
    project_id = fields.Many2one(
        "project.project",
        string="Into project",
        help="Empty: each board gets a project of its own, named after it.",
    )

    @api.model
    def _link_offers(self, backend):
        """The token's open boards not linked yet."""
        with backend._connector_button_call(), backend._trello_session() as client:
            boards = client.my_boards()
        linked = set(backend.with_context(active_test=False).board_ids.mapped("board_id"))
        return [
            {"external_id": board["id"], "name": board["name"], "url": board.get("url")}
            for board in boards
            if board["id"] not in linked
        ]

    def action_link(self):
        """Link the chosen boards and queue their first import."""
        return self._link_show(self._link_chosen(), "connector_trello.action_trello_board")

    def _link_values(self, line):
        return {"name": line.name, "url": line.url, "project_id": self.project_id.id}

    def _link_extra_choices(self):
        if not self.board_ref:
            return {}
        board_id, name, url = self._board_from_ref(self.board_ref.strip())
        return {board_id: {"name": name, "url": url, "project_id": self.project_id.id}}

    def _link_nothing_chosen_text(self):
        return self.env._("Choose a board, or give the URL of one.")

    def _link_again(self, board, values):
        board.write({"active": True, "project_id": values["project_id"] or board.project_id.id})
        board._enqueue_webhook_registration()
        if not self.env.context.get(HOLD_FIRST_IMPORT):
            board._enqueue_import()

    def _board_from_ref(self, reference):
        found = BOARD_URL.search(reference)
        key = found.group(1) if found else reference
        with self.backend_id._connector_button_call():
            try:
                with self.backend_id._trello_session() as client:
                    board = client.board_summary(key)
            except NotFoundError:
                raise UserError(
                    self.env._("No board %s is visible to this Trello token.", reference)
                ) from None
        return board["id"], board["name"], board.get("url")


class TrelloBoardLinkLine(models.TransientModel):
    _name = "trello.board.link.line"
    _inherit = "connector.link.line.mixin"
    _description = "Trello Board to Link"

    wizard_id = fields.Many2one("trello.board.link", required=True, ondelete="cascade")
