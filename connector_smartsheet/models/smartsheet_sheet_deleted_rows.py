from odoo import models

from .smartsheet_sheet_import import IMPORT_CONTEXT


class SmartsheetSheetDeletedRows(models.Model):
    """Rows deleted in Smartsheet, found by comparing row ids or reported by a webhook: their
    records are archived or deleted."""

    _inherit = "smartsheet.sheet"  # pylint: disable=consider-merging-classes-inherited

    def _remove_rows_not_in(self, seen_row_ids):
        """Rows bound in Odoo but no longer in the sheet were deleted there."""
        bound = self.env["connector.external.binding"]._external_ids(self.backend_id, self.external_type)
        seen = {str(row_id) for row_id in seen_row_ids}
        gone = [external_id for external_id in bound if external_id not in seen]
        return self._remove_rows(gone) if gone else 0

    def _remove_rows(self, row_ids):
        """Archive (or delete, per the backend) the records of rows deleted in Smartsheet."""
        Model = self.env[self.odoo_model].with_context(from_connector=True, **IMPORT_CONTEXT)
        found = Model._connector_find(
            self.backend_id, self.external_type, [str(row_id) for row_id in row_ids]
        )
        records = Model.browse([record.id for record in found.values()])
        return records._smartsheet_row_deleted(self.backend_id.deleted_row_action)
