from odoo import fields, models


class ProjectTask(models.Model):
    _name = "project.task"
    _inherit = ["project.task", "connector.external.id.mixin"]

    planned_date_start = fields.Datetime(string="Start date", copy=False)
    trello_board_id = fields.Many2one(
        "trello.board",
        string="Trello board",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
    trello_card_url = fields.Char(string="Trello card", readonly=True, copy=False)
