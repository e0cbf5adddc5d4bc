import json

from odoo import fields, models
from odoo.tools import SQL


class ConnectorExternalBinding(models.Model):
    _inherit = "connector.external.binding"

    smartsheet_cells = fields.Json(
        string="Kept Smartsheet cells",
        copy=False,
        help="Hyperlink targets and predecessor objects of the row as last read or written: "
        "what a mapped value cannot hold, sent back with it.",
    )

    def _smartsheet_keep_cells(self, backend, external_type, kept_by_row):
        """Store the kept cells of rows just read ({row id: kept parts}, empty for none), in two
        queries; returns the ids (text) of the bound rows whose kept cells changed."""
        if not kept_by_row:
            return set()
        self.flush_model(["smartsheet_cells"])
        scope = SQL(
            "backend_model = %s AND backend_id = %s AND external_type = %s",
            backend._name,
            backend.id,
            external_type,
        )
        with_parts = {str(row_id): parts for row_id, parts in kept_by_row.items() if parts}
        without = [str(row_id) for row_id, parts in kept_by_row.items() if not parts]
        changed = set()
        if with_parts:
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE connector_external_binding binding SET smartsheet_cells = v.cells
                      FROM (VALUES %s) AS v(external_id, cells)
                     WHERE %s AND binding.external_id = v.external_id
                       AND binding.smartsheet_cells IS DISTINCT FROM v.cells
                 RETURNING binding.external_id
                    """,
                    SQL(", ").join(
                        SQL("(%s::varchar, %s::jsonb)", row_id, json.dumps(parts))
                        for row_id, parts in with_parts.items()
                    ),
                    scope,
                )
            )
            changed.update(external_id for (external_id,) in self.env.cr.fetchall())
        if without:
            self.env.cr.execute(
                SQL(
                    "UPDATE connector_external_binding SET smartsheet_cells = NULL"
                    " WHERE %s AND external_id = ANY(%s) AND smartsheet_cells IS NOT NULL"
                    " RETURNING external_id",
                    scope,
                    without,
                )
            )
            changed.update(external_id for (external_id,) in self.env.cr.fetchall())
        self.invalidate_model(["smartsheet_cells"])
        return changed
