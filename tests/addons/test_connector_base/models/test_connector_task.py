from odoo import api, fields, models


class TestConnectorTask(models.Model):
    """A task-like model with one field of each type the mapping engine fills."""

    _name = "test.connector.task"
    _description = "Test Connector Task"

    name = fields.Char(required=True, size=20)
    description = fields.Html()
    note = fields.Text()
    priority = fields.Integer()
    hours = fields.Float(digits=(16, 2))
    currency_id = fields.Many2one("res.currency", default=lambda self: self.env.company.currency_id)
    amount = fields.Monetary(currency_field="currency_id")
    done = fields.Boolean()
    deadline = fields.Date()
    planned_at = fields.Datetime()
    state = fields.Selection([("draft", "Draft"), ("open", "In progress"), ("done", "Done")], default="draft")
    stage_id = fields.Many2one("test.connector.stage")
    partner_id = fields.Many2one("res.partner")
    tag_ids = fields.Many2many("res.partner.category")
    name_length = fields.Integer(compute="_compute_name_length")

    @api.depends("name")
    def _compute_name_length(self):
        for task in self:
            task.name_length = len(task.name or "")
