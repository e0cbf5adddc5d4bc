from odoo import fields, models


class TestConnectorExecution(models.Model):
    """One row per handler run, so tests can count executions across workers."""

    _name = "test.connector.execution"
    _description = "Test Connector Execution"

    job_id = fields.Many2one("connector.sync.job", ondelete="cascade")
    pid = fields.Integer()
    niceness = fields.Integer(help="Of the thread that ran the handler.")
