from odoo import models

from odoo.addons.connector_base.lib.dates import parse_timestamp
from odoo.addons.connector_base.lib.errors import ValidationError
from odoo.addons.connector_base.lib.sync import project_tasks

from ..lib import links, sheet_rows
from ..lib import mapper as cells
from .smartsheet_sheet_import import CLOCK_SKEW


class SmartsheetSheetExportNewRows(models.Model):
    """Rows added for the project's new tasks, in waves: parents first, each next to its siblings."""

    _name = "smartsheet.sheet"
    _inherit = ["smartsheet.sheet", "connector.container.mixin"]
    # A sheet holds the tasks of its project. A move or new dependencies change the row though
    # the mapped cells may be the same.
    _connector_holds = project_tasks("parent_id", "depend_on_ids")

    def _connector_record_type(self):
        return self.external_type

    def _connector_container_subject(self):
        return self.env._("sheet %(sheet)s", sheet=self.name), self.permalink

    def _connector_exports_new(self, records):
        return records if self._exports() else records.browse()

    def _connector_new_records_jobs(self, records):
        # One job adds every task of the project that has no row yet (500 rows per call).
        return [
            self._connector_container_job(
                "_job_export_new_rows",
                {"sheet_id": self.id},
                kind="export",
                name=self.env._("Add the rows of new records to sheet %(sheet)s", sheet=self.name),
                object_type=self.external_type,
                identity_key=f"new_rows:{self.id}",
            )
        ]

    def _export_new_records(self):
        """Add rows for the tasks of the project that have none: parents first, next to their siblings."""
        self.ensure_one()
        tasks = self.env["project.task"].search(
            [("project_id", "=", self.project_id.id)], order="sequence, id"
        )
        row_of = self._bound_rows(tasks)
        pending = tasks.filtered(lambda task: task.id not in row_of)
        if not pending:
            return {"skipped": 1, "summary": self.env._("No new record to export.")}
        mapper = self._mapper()
        columns = self._export_columns()
        added = refused = 0
        with self.backend_id._smartsheet_client() as client:
            while pending:
                wave = pending.filtered(lambda task, waiting=pending: task.parent_id not in waiting)
                wave_added, wave_refused = self._add_rows(client, wave, tasks, row_of, mapper, columns)
                added += wave_added
                refused += wave_refused
                pending -= wave
        summary = self.env._("%(added)s row(s) added, %(refused)s refused", added=added, refused=refused)
        if refused and not added:
            raise ValidationError(summary)
        return {"created": added, "summary": summary}

    def _add_rows(self, client, wave, tasks, row_of, mapper, columns):
        """Add the rows of one wave of new tasks and bind the tasks to them; updates ``row_of``."""

        def parent_of(task):
            return task.parent_id.id if task.parent_id in tasks else False

        anchors = {}
        for parent_id in {parent_of(task) for task in wave}:
            siblings = tasks.filtered(lambda task, parent_id=parent_id: parent_of(task) == parent_id)
            anchors.update(
                sheet_rows.insertion_anchors([(task.id, row_of.get(task.id)) for task in siblings])
            )
        placed = []
        predecessor = self._predecessor_column()
        for task, values in zip(wave, mapper.to_external_batch(wave), strict=True):
            location = sheet_rows.new_row_location(row_of.get(parent_of(task)), anchors.get(task.id))
            row_cells = cells.row_cells(values, columns)
            waits_for = [row_of[other.id] for other in task.depend_on_ids if other.id in row_of]
            if predecessor is not None and waits_for:
                row_cells.append(links.predecessor_cell(predecessor.id, waits_for, None))
            placed.append((location, (task, {**location, "cells": row_cells})))
        bound, refused = [], 0
        for _location, group in sheet_rows.group_by_location(placed):
            found, results = self.backend_id._connector_create_each_once(
                self.external_type,
                self.env["project.task"].union(*(task for task, _row in group)),
                create=lambda left, group=group: client.add_rows(
                    self.sheet_id, [row for task, row in group if task in left]
                ),
                find=lambda retried, started_at, group=group: self._rows_added_by(
                    client, [(task, row) for task, row in group if task in retried], started_at, columns
                ),
            )
            for task, _row in group:
                if task.id in found:
                    row_of[task.id] = found[task.id]["id"]
                    bound.append((task, found[task.id]))
            left = [(task, row) for task, row in group if task.id not in found]
            for (task, row), result in zip(left, results or [], strict=True):
                if result.ok:
                    row_of[task.id] = result.row["id"]
                    bound.append((task, result.row))
                else:
                    refused += 1
                    column = cells.refused_column(result.message, row["cells"], columns)
                    task.message_post(
                        body=self.env._(
                            "Smartsheet refused the new row, column %(column)s: %(message)s (refId %(ref)s)",
                            column=column.title if column else self.env._("unknown"),
                            message=result.message,
                            ref=result.ref_id or self.env._("none"),
                        )
                    )
        # The parent snapshot tells a later export whether the task moved since.
        self.env["connector.external.binding"].sudo()._insert(
            self.backend_id,
            self.external_type,
            "project.task",
            [
                (
                    str(row["id"]),
                    task.id,
                    None,
                    parse_timestamp(row.get("modifiedAt")),
                    {"parent_id": task.parent_id.id},
                )
                for task, row in bound
            ],
        )
        return len(bound), refused

    def _rows_added_by(self, client, sent, started_at, columns):
        """{task id: row} of the rows an interrupted add of ``sent`` ((task, row) pairs) made:
        unbound rows created since the attempt began, holding what was sent."""
        since = started_at - CLOCK_SKEW  # rows are read on Smartsheet's clock
        candidates = [
            row
            for page in client.iter_sheet_pages(
                self.sheet_id,
                self.backend_id.page_size,
                rowsModifiedSince=since.strftime("%Y-%m-%dT%H:%M:%SZ"),
            )
            for row in page.get("rows") or ()
        ]
        bound = self.env["connector.external.binding"]._lookup(
            self.backend_id, self.external_type, [str(row["id"]) for row in candidates]
        )
        primary = next((column.id for column in columns.values() if column.primary), None)
        found = sheet_rows.rows_created_by(
            [row for _task, row in sent],
            [row for row in candidates if str(row["id"]) not in bound],
            primary,
            since,
        )
        return {sent[position][0].id: row for position, row in found.items()}
