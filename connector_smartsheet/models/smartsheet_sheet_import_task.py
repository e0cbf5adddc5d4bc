from odoo import models

from odoo.addons.connector_base.lib.sync import FROM_CONNECTOR

from ..lib import links, sheet_rows
from ..lib import mapper as cells
from .smartsheet_sheet_import import IMPORT_CONTEXT


class SmartsheetSheetTaskImport(models.Model):
    """The rows of a task sheet: tasks in parent-first waves, their kept cells and dependencies."""

    _inherit = "smartsheet.sheet"  # pylint: disable=consider-merging-classes-inherited

    def _import_task_rows(self, good, run):
        """Tasks in parent-first waves: a child needs its parent's task id."""
        page_ids = {record[cells.ROW_ID] for record, _values in good}
        parents = {record[cells.PARENT_ID] for record, _values in good if record[cells.PARENT_ID]}
        unknown = parents - page_ids - set(run.known)
        if unknown:
            found = self.env["connector.external.binding"]._lookup(
                self.backend_id, self.external_type, unknown
            )
            run.known.update((int(row_id), row[1]) for row_id, row in found.items())
        values_by_row = {record[cells.ROW_ID]: values for record, values in good}
        waves, orphans = sheet_rows.parent_first_batches([record for record, _values in good], run.known)
        for wave in waves:
            items = [
                {
                    **self._item(
                        record,
                        {
                            **values_by_row[record[cells.ROW_ID]],
                            "parent_id": run.known.get(record[cells.PARENT_ID], False),
                            "sequence": record.get(cells.ROW_NUMBER) or 0,
                        },
                    ),
                    # A task moved to another project in Odoo stays there when its row changes.
                    "create_values": {"project_id": self.project_id.id},
                }
                for record in wave
            ]
            self._upsert("project.task", items, run)
        # A child whose parent could not be imported waits in quarantine with it: retrying the
        # parent brings its children along.
        return [
            (
                record,
                self._row_error(
                    record,
                    None,
                    record[cells.PARENT_ID],
                    "its parent row is not in Odoo (see its quarantine)",
                ),
            )
            for record in orphans
        ]

    def _keep_cells(self, rows, run):
        """Keep the links and predecessors of the rows read; note their predecessors for the run's end."""
        kept_by_row = {row["id"]: cells.kept_cells(row, run.columns) for row in rows}
        changed = (
            self.env["connector.external.binding"]
            .sudo()
            ._smartsheet_keep_cells(self.backend_id, self.external_type, kept_by_row)
        )
        if run.predecessor_column is not None:
            # Rows with predecessors (one may have reached Odoo since), and rows that just lost
            # theirs; a row without any, before and now, needs nothing.
            key = run.predecessor_column.key
            for row_id, kept in kept_by_row.items():
                waits_for = links.predecessor_row_ids(kept.get(key))
                if waits_for or str(row_id) in changed:
                    run.predecessors[row_id] = waits_for

    def _apply_dependencies(self, run):
        """Set the tasks' dependencies from the predecessors read, once the run's rows are in Odoo.

        Predecessors whose row is not in Odoo (quarantined, or not imported) are left out;
        their type and lag stay in the kept cells for the next export.
        """
        if not run.predecessors:
            return
        row_ids = set(run.predecessors).union(*run.predecessors.values())
        found = self.env["connector.external.binding"]._lookup(
            self.backend_id, self.external_type, [str(row_id) for row_id in row_ids]
        )
        task_of = {int(row_id): bound[1] for row_id, bound in found.items()}
        Task = self.env["project.task"].with_context(**{FROM_CONNECTOR: True}, **IMPORT_CONTEXT)
        tasks = Task.browse([task_of[row_id] for row_id in run.predecessors if row_id in task_of])
        wanted = {
            task_of[row_id]: sorted({task_of[other] for other in others if other in task_of})
            for row_id, others in run.predecessors.items()
            if row_id in task_of
        }
        for task in tasks:
            if sorted(task.depend_on_ids.ids) != wanted[task.id]:
                task.depend_on_ids = [(6, 0, wanted[task.id])]
        run.predecessors = {}

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
