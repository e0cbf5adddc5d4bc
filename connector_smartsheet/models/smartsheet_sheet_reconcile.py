from odoo import models

from odoo.addons.connector_base.lib.sync import content_hash

from ..lib import mapper as cells
from .smartsheet_sheet_import import ImportRun


class SmartsheetSheetReconcile(models.Model):
    """A task sheet's rows as the reconciliation compares them with their tasks."""

    _inherit = "smartsheet.sheet"  # pylint: disable=consider-merging-classes-inherited

    def _reconcile_rows(self):
        """Yield (row id, hash of the task values the row imports as, whether the task holds
        others now) for every row, a page at a time (the client keeps to the rate limit)."""
        self.ensure_one()
        Binding = self.env["connector.external.binding"]
        with self.backend_id._smartsheet_client() as client:
            for page in client.iter_sheet_pages(self.sheet_id, self.backend_id.page_size):
                run = ImportRun(self, self._columns())
                batch = run.mapper.to_odoo_batch(run.records(page.get("rows") or []))
                for record, _error in batch.failed:
                    yield str(record[cells.ROW_ID]), "unmappable", False
                row_ids = {record[cells.ROW_ID] for record, _values in batch.good}
                row_ids |= {
                    record[cells.PARENT_ID] for record, _values in batch.good if record[cells.PARENT_ID]
                }
                bound = Binding._lookup(
                    self.backend_id, self.external_type, [str(row_id) for row_id in row_ids]
                )
                tasks = self.env["project.task"].browse(
                    [
                        bound[str(record[cells.ROW_ID])][1]
                        for record, _v in batch.good
                        if str(record[cells.ROW_ID]) in bound
                    ]
                )
                for record, mapped in batch.good:
                    parent = bound.get(str(record[cells.PARENT_ID]))
                    values = {
                        **mapped,
                        "parent_id": parent[1] if parent else False,
                        "sequence": record.get(cells.ROW_NUMBER) or 0,
                    }
                    mine = bound.get(str(record[cells.ROW_ID]))
                    task = tasks.browse(mine[1]) if mine else None
                    differs = bool(task and Binding._differing_values(task, values))
                    yield str(record[cells.ROW_ID]), content_hash(values), differs
