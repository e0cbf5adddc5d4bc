from odoo import fields, models

from odoo.addons.connector_base.lib.sync import HeldRecords


class TestConnectorBoard(models.Model):
    """A linked container, as a platform's board or sheet: it holds the cards pointing at it."""

    _name = "test.connector.board"
    _inherit = ["connector.container.mixin"]
    _description = "Test Connector Board"
    _connector_holds = HeldRecords(
        "test.connector.card", record_field="board_id", structure_fields=frozenset({"parent_id"})
    )

    name = fields.Char(required=True)
    backend_id = fields.Many2one("test.connector.backend", required=True, ondelete="cascade")
    active = fields.Boolean(default=True)
    export_new = fields.Boolean(string="Create cards made in Odoo", default=True)

    def _connector_record_type(self):
        return "card"

    def _connector_exports_new(self, records):
        # Only top-level cards become platform cards; subcards stay in Odoo.
        return records.filtered(lambda card: not card.parent_id) if self.export_new else records.browse()

    def _connector_container_subject(self):
        return f"board {self.name}", None

    def _connector_new_records_jobs(self, records):
        return [
            self._connector_container_job(
                "_job_export_new_cards", {"board_id": self.id}, kind="export", object_type="card"
            )
        ]
