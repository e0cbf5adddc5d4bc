from odoo import models
from odoo.tools import SQL

from ..lib import mapper as cells


class SmartsheetSheetQuarantine(models.Model):
    """Rows set aside as failed import jobs: listed, retried with the rows waiting on them,
    settled when read again."""

    _inherit = "smartsheet.sheet"  # pylint: disable=consider-merging-classes-inherited

    def action_view_quarantine(self):
        self.ensure_one()
        action = self.backend_id.action_view_jobs()
        action["domain"] = [
            *action["domain"],
            ("object_type", "=", self.external_type),
            ("method_name", "=", "_job_import_row"),
            ("state", "=", "failed"),
        ]
        return action

    def _quarantine_rows(self, failures):
        """Set failed rows aside, one failed ``_job_import_row`` job each (retried from the sheet)."""
        self.env["connector.field.mapping"]._quarantine(
            self.backend_id, "_job_import_row", failures, external_type=self.external_type
        )

    def _has_quarantine(self):
        return bool(
            self.env["connector.sync.job"]
            .sudo()
            .search_count(
                [
                    ("backend_model", "=", self.backend_id._name),
                    ("backend_id", "=", self.backend_id.id),
                    ("object_type", "=", self.external_type),
                    ("method_name", "=", "_job_import_row"),
                    ("state", "=", "failed"),
                ],
                limit=1,
            )
        )

    def _quarantined_family(self, row_id):
        """``row_id`` and the quarantined rows waiting for it (children, grandchildren...)."""
        jobs = (
            self.env["connector.sync.job"]
            .sudo()
            .search(
                [
                    ("backend_model", "=", self.backend_id._name),
                    ("backend_id", "=", self.backend_id.id),
                    ("object_type", "=", self.external_type),
                    ("method_name", "=", "_job_import_row"),
                    ("state", "=", "failed"),
                ]
            )
        )
        children = {}
        for job in jobs:
            children.setdefault((job.payload or {}).get(cells.PARENT_ID), []).append(job.payload["id"])
        family, todo = [], [row_id]
        while todo:
            current = todo.pop()
            family.append(current)
            todo += [child for child in children.get(current, []) if child not in family]
        return family

    def _settle_quarantine(self, row_ids):
        """Cancel the quarantined jobs of rows just read again: fixed, or quarantined anew."""
        self.env.cr.execute(
            SQL(
                """
                UPDATE connector_sync_job
                   SET state = 'cancelled', result_summary = %s, write_date = (now() AT TIME ZONE 'UTC')
                 WHERE backend_model = %s AND backend_id = %s AND object_type = %s
                   AND method_name = '_job_import_row' AND state = 'failed'
                   AND payload->>'id' = ANY(%s)
                """,
                self.env._("The row was imported again."),
                self.backend_id._name,
                self.backend_id.id,
                self.external_type,
                [str(row_id) for row_id in row_ids],
            )
        )
