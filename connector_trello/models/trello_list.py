from odoo import api, fields, models

from odoo.addons.connector_base.lib.sync import FROM_CONNECTOR


class TrelloList(models.Model):
    """A list of a linked board and the project stage its cards go to.

    A list gets a stage of its own at the first import (or the project's stage of the
    same name); a person may map it to any other stage instead, several lists to one.
    """

    _name = "trello.list"
    _description = "Trello List"
    _order = "board_link_id, sequence, id"

    board_link_id = fields.Many2one(
        "trello.board", string="Board", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="board_link_id.company_id", store=True, index=True)
    list_id = fields.Char(string="Trello list ID", required=True, readonly=True)
    name = fields.Char(required=True, readonly=True)
    sequence = fields.Integer(readonly=True, help="Position of the list on the board.")
    closed = fields.Boolean(string="Archived in Trello", readonly=True)
    stage_id = fields.Many2one("project.task.type", required=True, ondelete="restrict")
    owns_stage = fields.Boolean(
        string="Stage follows the list",
        readonly=True,
        help="The stage was created for this list: its name, order and folding follow the list.",
    )

    _sql_constraints = [
        ("list_unique", "UNIQUE (board_link_id, list_id)", "This list is already mapped for this board."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        lists = super().create(vals_list)
        lists._add_stages_to_projects()
        return lists

    def write(self, vals):
        result = super().write(vals)
        if "stage_id" in vals and not self.env.context.get(FROM_CONNECTOR):
            # A person mapped the list to another stage: it is no longer the list's own, and
            # its cards must move, which a re-import of the board does.
            super().write({"owns_stage": False})
            self._add_stages_to_projects()
            self.board_link_id._enqueue_import()
        return result

    def _add_stages_to_projects(self):
        for item in self:
            project = item.board_link_id.project_id
            if project and project not in item.stage_id.project_ids:
                item.stage_id.with_context(**{FROM_CONNECTOR: True}).project_ids = [(4, project.id)]

    def _follow_list(self, trello_list, policy):
        """Keep the name, order and archiving of a list read from Trello (and of its own stage)."""
        values = {
            key: trello_list[key] for key in ("name", "sequence", "closed") if self[key] != trello_list[key]
        }
        if not values:
            return
        self.with_context(**{FROM_CONNECTOR: True}).write(values)
        if self.owns_stage:
            closed = trello_list["closed"]
            stage_values = {
                "name": trello_list["name"],
                "sequence": trello_list["sequence"],
                "fold": closed and policy == "fold",
                "active": not (closed and policy == "archive"),
            }
            stage = self.stage_id.with_context(active_test=False)
            changed = {key: value for key, value in stage_values.items() if stage[key] != value}
            if changed:
                stage.with_context(**{FROM_CONNECTOR: True}).write(changed)
