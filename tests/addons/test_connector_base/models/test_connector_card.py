from odoo import fields, models


class TestConnectorCard(models.Model):
    """A record a board holds: the lifecycle of bound records (create, structure, unlink)."""

    _name = "test.connector.card"
    _inherit = ["mail.thread", "connector.external.id.mixin"]
    _description = "Test Connector Card"

    name = fields.Char(required=True)
    board_id = fields.Many2one("test.connector.board")
    parent_id = fields.Many2one("test.connector.card")
