from odoo import models

from ..lib import mapper as cells
from ..lib import sheet_rows
from .smartsheet_sheet import ROW_LABEL, ImportRun


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
        with self.backend_id._smartsheet_session() as client:
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
        checks = getattr(self, f"_preview_{self.purpose}_rows")
        written, failures = checks(batch.good, previewed)
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

    def _preview_create_values(self):
        return {"project_id": self.project_id.id} if self.purpose == "task" else {}

    # Each purpose's checks after the mapping, as its importer makes them: ([(record, values)]
    # written, [(record, MappingError)] set aside).
    def _preview_task_rows(self, good, previewed):
        parents = {record[cells.PARENT_ID] for record, _values in good if record[cells.PARENT_ID]}
        bound = self.env["connector.external.binding"]._lookup(
            self.backend_id, self.external_type, parents - previewed
        )
        known = previewed | {int(row_id) for row_id in bound}
        _waves, orphans = sheet_rows.parent_first_batches([record for record, _values in good], known)
        orphan_ids = {record[cells.ROW_ID] for record in orphans}
        failures = [
            (
                record,
                self._row_error(
                    record, None, record[cells.PARENT_ID], "its parent row would not be imported"
                ),
            )
            for record in orphans
        ]
        return [
            (record, values) for record, values in good if record[cells.ROW_ID] not in orphan_ids
        ], failures

    def _preview_production_rows(self, good, previewed):
        products, failures = self._resolve_products(good)
        written = [
            (record, {**values, "product_id": products[record[cells.ROW_ID]].id})
            for record, values in good
            if record[cells.ROW_ID] in products
        ]
        return written, failures

    def _preview_inventory_rows(self, good, previewed):
        products, failures = self._resolve_products(good)
        located = [(record, values) for record, values in good if record[cells.ROW_ID] in products]
        locations, location_failures = self._resolve_locations(located)
        failures += location_failures
        Count = self.env["smartsheet.inventory.count"]
        written = []
        for record, values in located:
            row_id = record[cells.ROW_ID]
            if row_id not in locations:
                continue
            lot_name = self._cell_text(record, self.lot_column_id)
            problem = Count._tracking_problem(products[row_id], lot_name, values.get("quantity") or 0.0)
            if problem:
                column = self.lot_column_id or self.product_column_id
                failures.append((record, self._row_error(record, column, lot_name, problem)))
                continue
            written.append(
                (
                    record,
                    {**values, "product_id": products[row_id].id, "location_id": locations[row_id].id},
                )
            )
        return written, failures
