from datetime import timedelta

from odoo import api, exceptions, fields, models
from odoo.osv import expression
from odoo.tools import SQL

from odoo.addons.connector_base.lib import converters
from odoo.addons.connector_base.lib.dates import parse_iso_datetime, to_naive_utc
from odoo.addons.connector_base.lib.errors import ValidationError
from odoo.addons.connector_base.lib.mapping import FieldRule, MappingError
from odoo.addons.connector_base.models.connector_external_binding import (
    FROM_CONNECTOR,
    QUIET_CREATE_CONTEXT,
    content_hash,
)
from odoo.addons.connector_base.models.connector_import_preview_mixin import HOLD_FIRST_IMPORT

from ..lib import links, sheet_rows
from ..lib import mapper as cells

PURPOSES = [
    ("task", "Project tasks"),
    ("production", "Manufacturing orders"),
    ("inventory", "Inventory counts"),
]
PURPOSE_MODELS = {
    "task": "project.task",
    "production": "mrp.production",
    "inventory": "smartsheet.inventory.count",
}
DIRECTIONS = [("import", "Import"), ("export", "Export"), ("both", "Both ways")]
# rowsModifiedSince is read on Smartsheet's clock: look back a little further than the last sync.
CLOCK_SKEW = timedelta(minutes=1)
# Imports write with these: no chatter line per record, no "you have been assigned" email per
# imported task (Smartsheet tells its own users).
IMPORT_CONTEXT = {**QUIET_CREATE_CONTEXT, "tracking_disable": True}
ROW_LABEL = "rowLabel"
SHEET_KEY = "sheetId"


def parse_timestamp(text):
    """Smartsheet's ISO time as Odoo stores it (naive UTC), or None."""
    if not text:
        return None
    return to_naive_utc(parse_iso_datetime(str(text)))


class ImportRun:
    """The state of one import of a sheet: compiled mapping, columns, rows already in Odoo."""

    def __init__(self, sheet, columns):
        self.sheet = sheet
        self.columns = columns
        self.mapper = sheet._mapper()
        self.known = {}  # row id -> Odoo record id
        self.may_have_quarantine = sheet._has_quarantine()
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


class SmartsheetSheet(models.Model):
    """A Smartsheet sheet linked to Odoo: what it feeds, which way, and how far it is synced."""

    _name = "smartsheet.sheet"
    _description = "Smartsheet Linked Sheet"
    _order = "backend_id, name, id"

    backend_id = fields.Many2one("smartsheet.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    active = fields.Boolean(default=True)
    name = fields.Char(required=True)
    sheet_id = fields.Char(string="Sheet ID", required=True, index=True)
    permalink = fields.Char(string="Link")
    purpose = fields.Selection(PURPOSES, string="Feeds", required=True, default="task")
    direction = fields.Selection(DIRECTIONS, required=True, default="both")
    project_id = fields.Many2one("project.project", ondelete="restrict", index=True)
    location_id = fields.Many2one(
        "stock.location",
        string="Default location",
        domain=[("usage", "=", "internal")],
        help="Where counts go when the sheet has no location column.",
    )
    product_column_id = fields.Many2one(
        "smartsheet.column",
        domain="[('sheet_id', '=', id)]",
        help="Column naming the product by internal reference or name.",
    )
    location_column_id = fields.Many2one("smartsheet.column", domain="[('sheet_id', '=', id)]")
    lot_column_id = fields.Many2one(
        "smartsheet.column", string="Lot/serial column", domain="[('sheet_id', '=', id)]"
    )
    external_type = fields.Char(compute="_compute_external_type", store=True, index=True)
    odoo_model = fields.Char(compute="_compute_external_type", store=True)
    column_ids = fields.One2many("smartsheet.column", "sheet_id", string="Columns")
    webhook_id = fields.Many2one("smartsheet.webhook", readonly=True, copy=False)
    webhook_status = fields.Selection(related="webhook_id.status")
    last_version = fields.Integer(readonly=True, copy=False, help="Sheet version when last synced.")
    last_sync_at = fields.Datetime(readonly=True, copy=False)
    last_row_check_at = fields.Datetime(
        string="Rows last compared", readonly=True, copy=False, help="When deleted rows were last looked for."
    )
    row_count = fields.Integer(string="Rows", readonly=True, copy=False)
    unmatched_values = fields.Text(
        string="Values without a match",
        readonly=True,
        copy=False,
        help="Values of the last import no Odoo record matched (contacts without a user...): "
        "their fields were left empty.",
    )
    record_count = fields.Integer(compute="_compute_counts", string="Synced records")
    mapping_count = fields.Integer(compute="_compute_counts", string="Mappings")
    quarantine_count = fields.Integer(compute="_compute_counts", string="Rows in quarantine")

    _sql_constraints = [
        ("sheet_unique", "UNIQUE (backend_id, sheet_id)", "This sheet is already linked to this backend."),
    ]

    @api.depends("sheet_id", "purpose")
    def _compute_external_type(self):
        for sheet in self:
            sheet.external_type = f"sheet:{sheet.sheet_id}" if sheet.sheet_id else False
            sheet.odoo_model = PURPOSE_MODELS[sheet.purpose] if sheet.purpose else False

    def _compute_counts(self):
        Binding = self.env["connector.external.binding"].sudo()
        Job = self.env["connector.sync.job"].sudo()
        Mapping = self.env["connector.field.mapping"].sudo()
        scope = [
            ("backend_model", "=", "smartsheet.backend"),
            ("external_type", "in", self.mapped("external_type")),
        ]
        bound = dict(Binding._read_group(scope, ["external_type"], ["__count"]))
        mapped = dict(Mapping._read_group(scope, ["external_type"], ["__count"]))
        quarantined = dict(
            Job._read_group(
                [
                    ("backend_model", "=", "smartsheet.backend"),
                    ("object_type", "in", self.mapped("external_type")),
                    ("method_name", "=", "_job_import_row"),
                    ("state", "=", "failed"),
                ],
                ["object_type"],
                ["__count"],
            )
        )
        for sheet in self:
            sheet.record_count = bound.get(sheet.external_type, 0)
            sheet.mapping_count = mapped.get(sheet.external_type, 0)
            sheet.quarantine_count = quarantined.get(sheet.external_type, 0)

    @api.constrains("purpose", "direction", "project_id")
    def _check_purpose(self):
        for sheet in self:
            if sheet.purpose == "task" and not sheet.project_id:
                raise exceptions.ValidationError(self.env._("A sheet feeding tasks needs a project."))
            if sheet.purpose != "task" and sheet.direction != "import":
                raise exceptions.ValidationError(
                    self.env._(
                        "Manufacturing and inventory sheets are imported only: set the direction to Import."
                    )
                )

    def _imports(self):
        return self.direction in ("import", "both")

    def _exports(self):
        return self.direction in ("export", "both") and self.purpose == "task"

    # ------------------------------------------------------------------ linking
    @api.model_create_multi
    def create(self, vals_list):
        sheets = super().create(vals_list)
        for sheet in sheets:
            sheet._link()
        return sheets

    def _link(self):
        """Read the columns, propose mappings, subscribe a webhook and queue the first import
        (unless held back for the import preview, which starts it)."""
        self.ensure_one()
        with self.backend_id._smartsheet_session() as client:
            self._sync_columns(client.get_columns(self.sheet_id))
            self._propose_defaults()
            if self.backend_id.use_webhooks and self._imports():
                self.env["smartsheet.webhook"]._subscribe(self, client)
        if not self.env.context.get(HOLD_FIRST_IMPORT):
            self._enqueue_sync(full=True)

    def action_unlink_sheet(self):
        """Stop syncing: delete the webhook in Smartsheet; bindings stay for a later relink."""
        for sheet in self:
            if sheet.webhook_id:
                with sheet.backend_id._smartsheet_session() as client:
                    sheet.webhook_id._delete(client)
            sheet.active = False
        return True

    def action_relink_sheet(self):
        for sheet in self.filtered(lambda sheet: not sheet.active):
            sheet.active = True
            sheet._link()
        return True

    def action_refresh_columns(self):
        for sheet in self:
            with sheet.backend_id._smartsheet_session() as client:
                sheet._sync_columns(client.get_columns(sheet.sheet_id))
        return True

    def action_enable_webhook(self):
        for sheet in self:
            with sheet.backend_id._smartsheet_session() as client:
                self.env["smartsheet.webhook"]._subscribe(sheet, client)
        return True

    def action_sync_now(self):
        self._enqueue_sync()
        return True

    def action_full_import(self):
        self._enqueue_sync(full=True)
        return True

    def _enqueue_sync(self, full=False):
        for sheet in self.filtered("active"):
            if sheet._imports():
                sheet.backend_id._connector_enqueue(
                    "_job_sync_sheet",
                    {"sheet_id": sheet.id, "full": full},
                    name=self.env._("Sync sheet %(sheet)s", sheet=sheet.name),
                    object_name=self.env._("sheet %(sheet)s", sheet=sheet.name),
                    object_url=sheet.permalink,
                    object_type=sheet.external_type,
                    identity_key=f"sync:{sheet.id}",
                )
            if sheet._exports():
                sheet._enqueue_new_rows_export()

    def _enqueue_new_rows_export(self):
        self.ensure_one()
        self.backend_id._connector_enqueue(
            "_job_export_new_rows",
            {"sheet_id": self.id},
            kind="export",
            name=self.env._("Add the rows of new records to sheet %(sheet)s", sheet=self.name),
            object_name=self.env._("sheet %(sheet)s", sheet=self.name),
            object_url=self.permalink,
            object_type=self.external_type,
            identity_key=f"new_rows:{self.id}",
        )

    def action_view_mappings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "connector_base.action_connector_field_mapping"
        )
        action["domain"] = [
            ("backend_model", "=", self.backend_id._name),
            ("backend_id", "=", self.backend_id.id),
            ("external_type", "=", self.external_type),
        ]
        action["context"] = {
            "default_backend_model": self.backend_id._name,
            "default_backend_id": self.backend_id.id,
            "default_external_type": self.external_type,
            "default_model_id": self.env["ir.model"]._get_id(self.odoo_model),
        }
        return action

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

    # ------------------------------------------------------------------ columns and mappings
    def _sync_columns(self, payloads):
        """Create, update and remove the column records after Smartsheet's columns; returns them by id."""
        self.ensure_one()
        Column = self.env["smartsheet.column"]
        wanted = {int(payload["id"]): Column._values_from_api(payload) for payload in payloads}
        existing = {int(column.column_id): column for column in self.column_ids}
        for column_id, column in existing.items():
            if column_id not in wanted:
                column.unlink()
            elif column._differs(wanted[column_id]):
                column.write(wanted[column_id])
        new = [
            {**values, "sheet_id": self.id}
            for column_id, values in wanted.items()
            if column_id not in existing
        ]
        if new:
            Column.create(new)
        return self._columns()

    def _columns(self):
        """{column id: lib.mapper.Column} of the sheet's columns."""
        return {int(column.column_id): column._as_lib_column() for column in self.column_ids}

    def _mapper(self):
        return self.env["connector.field.mapping"]._get_mapper(
            self.backend_id, self.external_type, self.odoo_model, id_field=ROW_LABEL
        )

    def _propose_defaults(self):
        """Mappings proposed from the column titles and types, for the person to review."""
        self.ensure_one()
        Model = self.env[self.odoo_model]
        if (
            self.purpose == "task"
            and not self.project_id.allow_task_dependencies
            and self.column_ids.filtered(lambda column: column.column_type == cells.PREDECESSOR)
        ):
            # The sheet's predecessors become task dependencies: the project needs the feature.
            self.project_id.allow_task_dependencies = True
        specs = Model._smartsheet_default_mappings(self)
        self.env["connector.field.mapping"]._ensure_defaults(
            self.backend_id, self.external_type, self.odoo_model, specs
        )
        if self.purpose != "task":
            guesses = self.column_ids._guess_roles()
            self.write(
                {
                    field_name: guesses[role].id
                    for field_name, role in (
                        ("product_column_id", "product"),
                        ("location_column_id", "location"),
                        ("lot_column_id", "lot"),
                    )
                    if not self[field_name] and guesses.get(role)
                }
            )

    # ------------------------------------------------------------------ import
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
        importer = getattr(self.with_context(**IMPORT_CONTEXT), f"_import_{self.purpose}_rows")
        failures += importer(good, run)
        self._note_unmatched(batch.warnings, records, run)
        if run.keeps_cells:
            self._keep_cells(rows, run)
        if run.may_have_quarantine:
            self._settle_quarantine([record[cells.ROW_ID] for record in records])
        retried = [failure for failure in failures if failure[0][cells.ROW_ID] == retried_row_id]
        others = [failure for failure in failures if failure[0][cells.ROW_ID] != retried_row_id]
        if others:
            self.env["connector.field.mapping"]._quarantine(
                self.backend_id, "_job_import_row", others, external_type=self.external_type
            )
        run.totals["failed"] += len(failures)
        return retried

    def _map_rows(self, rows, run):
        """(row records, their ``MappedBatch``): a page of rows as the mapping makes them, no
        write; the import and its preview share it."""
        records = run.records(rows)
        return records, run.mapper.to_odoo_batch(records)

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

    def _predecessor_column(self):
        """The lib column of the sheet's predecessors, when they feed task dependencies; else None."""
        column = self.column_ids.filtered(lambda column: column.column_type == cells.PREDECESSOR)[:1]
        if not column or self.purpose != "task" or not self.project_id.allow_task_dependencies:
            return None
        return column._as_lib_column()

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

    def _import_production_rows(self, good, run):
        products, failures = self._resolve_products(good)
        items = [
            self._item(record, {**values, "product_id": products[record[cells.ROW_ID]].id})
            for record, values in good
            if record[cells.ROW_ID] in products
        ]
        self._upsert("mrp.production", items, run)
        productions = self.env["mrp.production"].browse(
            [run.known[int(item["external_id"])] for item in items]
        )
        productions._smartsheet_apply_requested_states()
        return failures

    def _import_inventory_rows(self, good, run):
        products, failures = self._resolve_products(good)
        locations, location_failures = self._resolve_locations(
            [(r, v) for r, v in good if r[cells.ROW_ID] in products]
        )
        failures += location_failures
        Count = self.env["smartsheet.inventory.count"]
        items, checked = [], []
        for record, values in good:
            row_id = record[cells.ROW_ID]
            if row_id not in products or row_id not in locations:
                continue
            lot_name = self._cell_text(record, self.lot_column_id)
            problem = Count._tracking_problem(products[row_id], lot_name, values.get("quantity") or 0.0)
            if problem:
                failures.append(
                    (
                        record,
                        self._row_error(
                            record, self.lot_column_id or self.product_column_id, lot_name, problem
                        ),
                    )
                )
                continue
            checked.append(row_id)
            items.append(
                self._item(
                    record,
                    {
                        **values,
                        "sheet_id": self.id,
                        "product_id": products[row_id].id,
                        "location_id": locations[row_id].id,
                        "lot_name": lot_name or False,
                    },
                )
            )
        self._upsert("smartsheet.inventory.count", items, run)
        counts = Count.browse([run.known[row_id] for row_id in checked])
        counts.filtered(lambda count: count.state == "pending")._apply()
        return failures

    # ------------------------------------------------------------------ reconciliation
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

    # ------------------------------------------------------------------ lookups of fixed-shape sheets
    @staticmethod
    def _cell_text(record, column):
        value = record.get(column.column_id) if column else None
        return str(value).strip() if value not in (None, "", False) else ""

    def _row_error(self, record, column, value, reason):
        rule = FieldRule(
            odoo_field="",
            converter="text",
            external_field=column.column_id if column else "",
            label=column.name if column else self.env._("Parent row"),
        )
        return MappingError(f"{self.external_type} {record.get(ROW_LABEL)}", rule, value, reason)

    def _resolve_products(self, good):
        """{row id: product} by internal reference, else by name, in one query; and the failures."""
        column = self.product_column_id
        if not column:
            raise ValidationError(self.env._("%(sheet)s: choose the product column.", sheet=self.name))
        keys = {self._cell_text(record, column) for record, _values in good} - {""}
        Product = self.env["product.product"].with_context(active_test=True)
        candidates = (
            Product.search_fetch(
                ["|", ("default_code", "in", list(keys)), ("name", "in", list(keys))],
                ["default_code", "name"],
                order="id",
            )
            if keys
            else Product
        )
        by_code, by_name = {}, {}
        for product in candidates:
            by_code.setdefault(product.default_code, product)
            by_name.setdefault(product.name, product)
        found, failures = {}, []
        for record, _values in good:
            key = self._cell_text(record, column)
            product = by_code.get(key) or by_name.get(key)
            if product:
                found[record[cells.ROW_ID]] = product
            else:
                reason = "no product with this internal reference or name" if key else "a product is required"
                failures.append((record, self._row_error(record, column, key, reason)))
        return found, failures

    def _resolve_locations(self, good):
        """{row id: location} by full name, name or barcode (else the sheet's default); and the failures."""
        column = self.location_column_id
        keys = {self._cell_text(record, column) for record, _values in good} - {""}
        Location = self.env["stock.location"]
        candidates = (
            Location.search_fetch(
                [
                    ("usage", "=", "internal"),
                    ("company_id", "in", [self.company_id.id, False]),
                    "|",
                    "|",
                    ("complete_name", "in", list(keys)),
                    ("name", "in", list(keys)),
                    ("barcode", "in", list(keys)),
                ],
                ["complete_name", "name", "barcode"],
                order="id",
            )
            if keys
            else Location
        )
        by_key = {}
        for location in candidates:
            for key in (location.barcode, location.name, location.complete_name):
                if key:
                    by_key[key] = location
        found, failures = {}, []
        for record, _values in good:
            key = self._cell_text(record, column)
            location = by_key.get(key) if key else self.location_id
            if location:
                found[record[cells.ROW_ID]] = location
            else:
                reason = "no internal location with this name or barcode" if key else "a location is required"
                failures.append(
                    (record, self._row_error(record, column or self.product_column_id, key, reason))
                )
        return found, failures

    # ------------------------------------------------------------------ deleted rows
    def _remove_rows_not_in(self, seen_row_ids):
        """Rows bound in Odoo but no longer in the sheet were deleted there."""
        self.env["connector.external.binding"].flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT external_id FROM connector_external_binding"
                " WHERE backend_model = %s AND backend_id = %s AND external_type = %s",
                self.backend_id._name,
                self.backend_id.id,
                self.external_type,
            )
        )
        seen = {str(row_id) for row_id in seen_row_ids}
        gone = [external_id for (external_id,) in self.env.cr.fetchall() if external_id not in seen]
        return self._remove_rows(gone) if gone else 0

    def _remove_rows(self, row_ids):
        """Archive (or delete, per the backend) the records of rows deleted in Smartsheet."""
        Model = self.env[self.odoo_model].with_context(from_connector=True, **IMPORT_CONTEXT)
        found = Model._connector_find(
            self.backend_id, self.external_type, [str(row_id) for row_id in row_ids]
        )
        records = Model.browse([record.id for record in found.values()])
        return records._smartsheet_row_deleted(self.backend_id.deleted_row_action)

    # ------------------------------------------------------------------ export
    def _export_columns(self):
        return {
            int(column.column_id): column._as_lib_column() for column in self.column_ids if column._writable()
        }

    def _bound_rows(self, records):
        """{record id: row id} of the records bound to rows of this sheet, in one query."""
        bindings = (
            self.env["connector.external.binding"]
            .sudo()
            .search_fetch(
                [
                    ("backend_model", "=", self.backend_id._name),
                    ("backend_id", "=", self.backend_id.id),
                    ("external_type", "=", self.external_type),
                    ("res_model", "=", records._name),
                    ("res_id", "in", records.ids),
                ],
                ["external_id", "res_id"],
            )
        )
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
            results = client.add_rows(self.sheet_id, [row for _task, row in group])
            for (task, row), result in zip(group, results, strict=True):
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
