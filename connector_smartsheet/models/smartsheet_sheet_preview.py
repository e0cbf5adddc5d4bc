from odoo import models

from ..lib import mapper as cells
from .smartsheet_sheet import ROW_LABEL
from .smartsheet_sheet_import import ImportRun


class SmartsheetSheet(models.Model):
    """The import preview of a linked sheet: the first import's reads and mapping, no write."""

    _name = "smartsheet.sheet"
    _inherit = ["smartsheet.sheet", "connector.import.preview.mixin"]

    def _connector_preview_model(self):
        return self.odoo_model

    def _connector_preview_start_import(self):
        self._enqueue_sync(full=True)

    def _connector_preview_mappings_action(self):
        return self.action_view_mappings()

    def _connector_preview_import(self, preview):
        """Read the sheet page by page as the first (full) import does, and map each page."""
        self.ensure_one()
        previewed = set()  # row ids that would be in Odoo, for their children
        with self.backend_id._smartsheet_client_for_action() as client:
            run = None
            for page in client.iter_sheet_pages(self.sheet_id, self.backend_id.page_size):
                if run is None:
                    run = ImportRun(self, self._sync_columns(page.get("columns") or []))
                self._preview_rows(page.get("rows") or [], run, preview, previewed)
            preview.api_calls = client.api_calls

    def _preview_rows(self, rows, run, preview, previewed):
        records, batch = self._map_rows(rows, run)
        preview.lose_warnings(
            batch.warnings,
            refs={f"{self.external_type} {record[ROW_LABEL]}": record[ROW_LABEL] for record in records},
        )
        for record, error in batch.failed:
            preview.fail_mapping(record[ROW_LABEL], error)
        written, failures = self._purpose_preview_checks()(batch.good, previewed)
        titles = {column.column_id: column.name for column in self.column_ids}
        for record, error in failures:
            column = titles.get(str(error.external_field), self.env._("Parent row"))
            preview.fail(record[ROW_LABEL], error.field or column, error.value, error.reason)
        bound = self.env["connector.external.binding"]._lookup(
            self.backend_id, self.external_type, [record[cells.ROW_ID] for record, _values in written]
        )
        for record, values in written:
            existing = str(record[cells.ROW_ID]) in bound
            preview.add(
                record[ROW_LABEL],
                values if existing else {**values, **self._preview_create_values()},
                existing=existing,
            )
            previewed.add(record[cells.ROW_ID])

    def _purpose_preview_checks(self):
        """The checks of the sheet's purpose after the mapping, as its importer makes them:
        take the mapped rows and the row ids previewed so far, return ([(record, values)]
        written, [(record, MappingError)] set aside)."""
        return {
            "task": self._preview_task_rows,
            "production": self._preview_production_rows,
            "inventory": self._preview_inventory_rows,
        }[self.purpose]

    def _preview_create_values(self):
        return {"project_id": self.project_id.id} if self.purpose == "task" else {}
