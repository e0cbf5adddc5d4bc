from odoo import fields, models


class TestConnectorStage(models.Model):
    """A stage-like model: the target of status value mappings in the mapping tests."""

    _name = "test.connector.stage"
    _description = "Test Connector Stage"
    _order = "sequence, id"

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
