from odoo import models

from odoo.addons.connector_base.lib.dates import parse_timestamp
from odoo.addons.connector_base.lib.errors import ValidationError

from ..lib import links, sheet_rows
from ..lib import mapper as cells


class SmartsheetSheetExport(models.Model):
    """Changes of bound records written to their rows: the changed cells only, moved rows
    grouped by their new place."""

    _inherit = "smartsheet.sheet"  # pylint: disable=consider-merging-classes-inherited

    def _export_columns(self):
        return {
            int(column.column_id): column._as_lib_column() for column in self.column_ids if column._writable()
        }

    def _bound_rows(self, records):
        """{record id: row id} of the records bound to rows of this sheet, in one query."""
        bindings = records._connector_bindings(self.backend_id, self.external_type)
        return {binding.res_id: int(binding.external_id) for binding in bindings}

    def _export_rows(self, items):
        """Update the rows of bound records: their cells, and their place when moved to another parent.

        ``items``: (binding, record, external values). Returns {binding id: the row's
        modification time, or the error Smartsheet gave for that row}.
        """
        if not self._exports():
            # Imported only: a mapping left "both ways" sends nothing back.
            return {binding.id: None for binding, _record, _values in items}
        columns = self._export_columns()
        mapper = self._mapper()
        records = self.env[self.odoo_model].browse([record.id for _binding, record, _values in items])
        parent_rows = self._bound_rows(records.parent_id)
        predecessor = self._predecessor_column()
        dependency_rows = self._bound_rows(records.depend_on_ids) if predecessor else {}
        in_place, moved, outcome = [], [], {}
        for binding, record, values in items:
            kept = binding.smartsheet_cells or {}
            changed = self._changed_columns(mapper, record, binding.synced_values or {})
            row_cells = cells.row_cells(
                {key: value for key, value in values.items() if key in changed}, columns, kept
            )
            if predecessor is not None:
                waits_for = [
                    dependency_rows[task.id] for task in record.depend_on_ids if task.id in dependency_rows
                ]
                cell = links.predecessor_cell(predecessor.id, waits_for, kept.get(predecessor.key))
                row_cells += [cell] if cell else []
            # Only what changed travels: a move sends the row's id and place, no empty cells.
            row = {"id": int(binding.external_id), **({"cells": row_cells} if row_cells else {})}
            if record.parent_id.id != ((binding.synced_values or {}).get("parent_id") or False):
                location = sheet_rows.moved_row_location(parent_rows.get(record.parent_id.id))
                moved.append((location, (binding, {**row, **location})))
            elif row_cells:
                in_place.append((binding, row))
            else:
                outcome[binding.id] = None  # the row already holds what Odoo has
        groups = [in_place] if in_place else []
        groups += [group for _location, group in sheet_rows.group_by_location(moved)]
        with self.backend_id._smartsheet_client() as client:
            for group in groups:
                results = client.update_rows(self.sheet_id, [row for _binding, row in group])
                for (binding, row), result in zip(group, results, strict=True):
                    outcome[binding.id] = self._row_outcome(binding, row, result, columns, predecessor)
        return outcome

    @staticmethod
    def _changed_columns(mapper, record, synced):
        """Keys of the exported columns whose Odoo field changed since it was last synced."""
        Binding = record.env["connector.external.binding"]
        return {
            rule.external_field
            for rule in mapper.rules
            if rule.exports
            and rule.external_field
            and (
                rule.odoo_field not in synced
                or Binding._differing_values(record, {rule.odoo_field: synced[rule.odoo_field]})
            )
        }

    def _row_outcome(self, binding, row, result, columns, predecessor):
        """The row's new modification time (its kept cells updated), or the error naming row,
        column, Smartsheet's message and reference."""
        if result.ok:
            self._keep_written_cells(binding, row, predecessor)
            return parse_timestamp(result.row.get("modifiedAt"))
        column = cells.refused_column(result.message, row.get("cells") or (), columns)
        details = {
            "row": row["id"],
            "column": column.title if column else self.env._("unknown"),
            "message": result.message,
            "ref": result.ref_id or self.env._("none"),
        }
        return ValidationError(
            self.env._(
                "Smartsheet refused row %(row)s, column %(column)s: %(message)s (refId %(ref)s)", **details
            ),
            platform_code=result.error_code,
            platform_message=result.message,
        )

    @staticmethod
    def _keep_written_cells(binding, row, predecessor):
        """What a write changed of the kept cells: the predecessors sent, a link cleared."""
        kept = dict(binding.smartsheet_cells or {})
        for cell in row.get("cells") or ():
            key = str(cell["columnId"])
            if predecessor is not None and cell["columnId"] == predecessor.id:
                items = (cell.get("objectValue") or {}).get(links.PREDECESSORS) or []
                kept[key] = {links.PREDECESSORS: items}
            elif cell.get(links.HYPERLINK, False) is None:
                kept.pop(key, None)
        kept = {key: parts for key, parts in kept.items() if any(parts.values())}
        if kept != (binding.smartsheet_cells or {}):
            binding.sudo().smartsheet_cells = kept or False
