from datetime import timedelta

from odoo import fields, models
from odoo.osv import expression

from odoo.addons.connector_base.lib import converters
from odoo.addons.connector_base.lib.dates import parse_timestamp
from odoo.addons.connector_base.lib.sync import QUIET_CREATE_CONTEXT

from ..lib import mapper as cells
from .smartsheet_sheet import ROW_LABEL, SHEET_KEY

# rowsModifiedSince is read on Smartsheet's clock: look back a little further than the last sync.
CLOCK_SKEW = timedelta(minutes=1)
# Imports write with these: no chatter line per record, no "you have been assigned" email per
# imported task (Smartsheet tells its own users).
IMPORT_CONTEXT = {**QUIET_CREATE_CONTEXT, "tracking_disable": True}


class ImportRun:
    """The state of one import of a sheet: compiled mapping, columns, rows already in Odoo."""

    def __init__(self, sheet, columns):
        self.sheet = sheet
        self.columns = columns
        self.mapper = sheet._mapper()
        self.known = {}  # row id -> Odoo record id
        self.may_have_quarantine = sheet.backend_id._connector_has_quarantine(sheet.external_type)
        self.totals = {"created": 0, "updated": 0, "skipped": 0, "failed": 0}
        self.seen = set()
        # Task sheets keep their rows' links and predecessors; {row id: predecessor row ids}
        # waits for the end of the run, when every row it names may be in Odoo.
        self.keeps_cells = sheet.purpose == "task"
        self.predecessor_column = sheet._predecessor_column()
        self.predecessors = {}
        self.unmatched = set()  # "field: value" the lookups could not match
        # Checkbox columns mapped to a selection go through its value maps as "true"/"false".
        self.checkbox_options = [
            rule.external_field
            for rule in self.mapper.rules
            if rule.imports
            and rule.converter == "selection"
            and str(rule.external_field).isdigit()
            and (column := columns.get(int(rule.external_field))) is not None
            and column.type == cells.CHECKBOX
        ]

    def records(self, rows):
        sheet_id = self.sheet.sheet_id
        records = []
        for row in rows:
            record = cells.row_record(row, self.columns)
            record[ROW_LABEL] = f"row {row.get('rowNumber')}"
            record[SHEET_KEY] = sheet_id
            for key in self.checkbox_options:
                record[key] = "true" if record.get(key) else "false"
            records.append(record)
        self.seen.update(record[cells.ROW_ID] for record in records)
        return records

    def add(self, result):
        for key in ("created", "updated", "skipped"):
            self.totals[key] += getattr(result, key)
        self.known.update((int(row_id), res_id) for row_id, res_id in result.record_ids.items())


class SmartsheetSheetImport(models.Model):
    """A sheet's import: a full read or the changes since the last sync, page by page, each
    page mapped here and written by its purpose's importer (one file per purpose)."""

    _inherit = "smartsheet.sheet"  # pylint: disable=consider-merging-classes-inherited

    def _sync(self, full=False):
        """Import what changed since the last sync (everything the first time, or when ``full``)."""
        self.ensure_one()
        with self.backend_id._smartsheet_client() as client:
            if full or not self.last_version:
                return self._import_all(client)
            return self._import_changes(client)

    def _import_all(self, client):
        """Read the whole sheet page by page and import each page as it arrives."""
        started = fields.Datetime.now()
        run = None
        version = total = 0
        for page in client.iter_sheet_pages(self.sheet_id, self.backend_id.page_size):
            if run is None:
                run = ImportRun(self, self._sync_columns(page.get("columns") or []))
                version, total = page.get("version") or 0, page.get("totalRowCount") or 0
            self._import_rows(page.get("rows") or [], run)
        self._apply_dependencies(run)
        self._remove_rows_not_in(run.seen)
        self.write(
            {
                "unmatched_values": "\n".join(sorted(run.unmatched)) or False,
                "last_version": version,
                "last_sync_at": started,
                "last_row_check_at": started,
                "row_count": total,
            }
        )
        return self._result(run, client)

    def _import_changes(self, client):
        """The cheap probe first: when the version did not move, nothing else is called or written."""
        version = client.get_sheet_version(self.sheet_id)
        if version == self.last_version:
            return {
                "skipped": 1,
                "summary": self.env._("Sheet unchanged (version %(version)s).", version=version),
            }
        started = fields.Datetime.now()
        since = (self.last_sync_at - CLOCK_SKEW).strftime("%Y-%m-%dT%H:%M:%SZ")
        run = None
        values = {"last_version": version, "last_sync_at": started}
        for page in client.iter_sheet_pages(
            self.sheet_id, self.backend_id.page_size, rowsModifiedSince=since
        ):
            if run is None:
                run = ImportRun(self, self._sync_columns(page.get("columns") or []))
                values["row_count"] = page.get("totalRowCount") or 0
            self._import_rows(page.get("rows") or [], run)
        self._apply_dependencies(run)
        if self._row_check_due(started):
            primary = next((column.id for column in run.columns.values() if column.primary), None)
            row_ids = (
                client.iter_row_ids(self.sheet_id, primary, self.backend_id.page_size) if primary else ()
            )
            self._remove_rows_not_in(set(row_ids))
            values["last_row_check_at"] = started
        if run.unmatched:
            known = set((self.unmatched_values or "").splitlines())
            values["unmatched_values"] = "\n".join(sorted(known | run.unmatched))
        self.write(values)
        return self._result(run, client)

    def _row_check_due(self, now):
        hours = self.backend_id.row_check_hours
        return hours > 0 and (
            not self.last_row_check_at or now - self.last_row_check_at >= timedelta(hours=hours)
        )

    def _result(self, run, client):
        totals = run.totals
        return {
            "created": totals["created"],
            "updated": totals["updated"],
            "skipped": totals["skipped"],
            "summary": self.env._(
                "%(created)s created, %(updated)s updated, %(skipped)s unchanged, %(failed)s quarantined, "
                "%(calls)s API calls",
                calls=client.api_calls,
                **totals,
            ),
        }

    def _apply_row_changes(self, changes):
        """What a webhook callback reported: re-read the changed rows in one call, drop the deleted."""
        self.ensure_one()
        result = {"created": 0, "updated": 0, "skipped": 0}
        if changes.changed or changes.columns_changed:
            with self.backend_id._smartsheet_client() as client:
                if changes.columns_changed:
                    self._sync_columns(client.get_columns(self.sheet_id))
                if changes.changed:
                    result = self._import_row_ids(changes.changed, client=client)
        if changes.deleted:
            result["updated"] += self._remove_rows(changes.deleted)
        return result

    def _import_row_ids(self, row_ids, client=None, retried_row_id=None):
        """Read these rows (one call) and import them.

        ``retried_row_id``: the row of a quarantined job being retried; if it fails
        again, its error is raised (the job stays failed) instead of quarantined anew.
        """
        self.ensure_one()
        if client is None:
            with self.backend_id._smartsheet_client() as own_client:
                return self._import_row_ids(row_ids, own_client, retried_row_id)
        payload = client.get_rows(self.sheet_id, row_ids)
        run = ImportRun(self, self._columns())
        failures = self._import_rows(payload.get("rows") or [], run, retried_row_id=retried_row_id)
        self._apply_dependencies(run)
        if failures:
            raise failures[0][1]
        return self._result(run, client)

    def _import_rows(self, rows, run, retried_row_id=None):
        """Map a page of rows and write it in batches; rows that fail are quarantined, the rest
        imports. Returns the failure of ``retried_row_id``, which is not quarantined."""
        if not rows:
            return []
        records, batch = self._map_rows(rows, run)
        good = batch.good
        failures = list(batch.failed)
        failures += self.with_context(**IMPORT_CONTEXT)._purpose_importer()(good, run)
        self._note_unmatched(batch.warnings, records, run)
        if run.keeps_cells:
            self._keep_cells(rows, run)
        if run.may_have_quarantine:
            refused = {record[cells.ROW_ID] for record, _error in failures}
            self.backend_id._connector_quarantine_resolve(
                self.external_type,
                [record[cells.ROW_ID] for record in records if record[cells.ROW_ID] not in refused],
            )
        retried = [failure for failure in failures if failure[0][cells.ROW_ID] == retried_row_id]
        others = [failure for failure in failures if failure[0][cells.ROW_ID] != retried_row_id]
        if others:
            self.backend_id._connector_quarantine(
                "_job_import_row",
                others,
                object_type=self.external_type,
                external_id=cells.ROW_ID,
                parent_id=cells.PARENT_ID,
            )
        run.totals["failed"] += len(failures)
        return retried

    def _map_rows(self, rows, run):
        """(row records, their ``MappedBatch``): a page of rows as the mapping makes them, no
        write; the import and its preview share it."""
        records = run.records(rows)
        return records, run.mapper.to_odoo_batch(records)

    def _purpose_importer(self):
        """The writer of the sheet's purpose: takes a page's mapped rows and the run, returns
        the [(record, MappingError)] it set aside."""
        return {
            "task": self._import_task_rows,
            "production": self._import_production_rows,
            "inventory": self._import_inventory_rows,
        }[self.purpose]

    def _note_unmatched(self, warnings, records, run):
        """List the values no record matched on the sheet; under the "partner" policy, the
        partner with that email follows the record instead."""
        unmatched = [warning for warning in warnings if warning.message == converters.UNMATCHED_NOTE]
        if not unmatched:
            return
        run.unmatched.update(f"{warning.field}: {warning.value}" for warning in unmatched)
        follow = {
            rule.odoo_field
            for rule, mapping in self._mappings_by_rule(run.mapper)
            if mapping.smartsheet_unmatched == "partner"
        }
        followers = [warning for warning in unmatched if warning.field in follow]
        Model = self.env[self.odoo_model]
        if not followers or not hasattr(Model, "message_subscribe"):
            return
        emails = {str(warning.value).lower() for warning in followers}
        partners = {}
        for partner in self.env["res.partner"].search_fetch(
            expression.OR([[("email", "=ilike", email)] for email in emails]), ["email"], order="id"
        ):
            partners.setdefault((partner.email or "").lower(), partner)
        row_of = {f"{self.external_type} {record[ROW_LABEL]}": record[cells.ROW_ID] for record in records}
        for warning in followers:
            record_id = run.known.get(row_of.get(warning.record_ref))
            partner = partners.get(str(warning.value).lower())
            if record_id and partner:
                Model.browse(record_id).message_subscribe(partner.ids)

    def _mappings_by_rule(self, mapper):
        mappings = self.env["connector.field.mapping"].search(
            [
                ("backend_model", "=", self.backend_id._name),
                ("backend_id", "=", self.backend_id.id),
                ("external_type", "=", self.external_type),
            ]
        )
        by_field = {mapping.odoo_field: mapping for mapping in mappings}
        return [(rule, by_field[rule.odoo_field]) for rule in mapper.rules if rule.odoo_field in by_field]

    def _upsert(self, model_name, items, run):
        if not items:
            return
        result = self.env[model_name]._connector_upsert(self.backend_id, self.external_type, items)
        run.add(result)

    @staticmethod
    def _item(record, values):
        return {
            "external_id": str(record[cells.ROW_ID]),
            "values": values,
            "external_updated_at": parse_timestamp(record.get(cells.MODIFIED_AT)),
        }
