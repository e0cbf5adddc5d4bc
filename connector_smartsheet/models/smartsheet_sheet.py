from odoo import api, exceptions, fields, models

from odoo.addons.connector_base.lib.preview import HOLD_FIRST_IMPORT

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
# Keys the import adds to each row record: the row as the mapping names it, and its sheet.
ROW_LABEL = "rowLabel"
SHEET_KEY = "sheetId"


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
        scope = Binding._domain_for(self.env["smartsheet.backend"], self.mapped("external_type"))
        bound = dict(Binding._read_group(scope, ["external_type"], ["__count"]))
        mapped = dict(Mapping._read_group(scope, ["external_type"], ["__count"]))
        quarantined = dict(
            Job._read_group(
                [*self.backend_id._quarantine_domain(), ("object_type", "in", self.mapped("external_type"))],
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
        with self.backend_id._smartsheet_client_for_action() as client:
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
                with sheet.backend_id._smartsheet_client_for_action() as client:
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
            with sheet.backend_id._smartsheet_client_for_action() as client:
                sheet._sync_columns(client.get_columns(sheet.sheet_id))
        return True

    def action_enable_webhook(self):
        for sheet in self:
            with sheet.backend_id._smartsheet_client_for_action() as client:
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
                self.env["connector.sync.job"].sudo()._enqueue([sheet._sync_job_values(full)])
            if sheet._exports():
                sheet._enqueue_new_rows_export()

    def _sync_job_values(self, full=False):
        """The sheet's sync job, deduplicated while pending: a button, a webhook's or a poll's."""
        return self._connector_container_job(
            "_job_sync_sheet",
            {"sheet_id": self.id, "full": full},
            name=self.env._("Sync sheet %(sheet)s", sheet=self.name),
            object_type=self.external_type,
            identity_key=f"sync:{self.id}",
        )

    def _enqueue_new_rows_export(self):
        self.ensure_one()
        self.env["connector.sync.job"].sudo()._enqueue(
            self._connector_new_records_jobs(self.env["project.task"])
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

    def _predecessor_column(self):
        """The lib column of the sheet's predecessors, when they feed task dependencies; else None."""
        column = self.column_ids.filtered(lambda column: column.column_type == cells.PREDECESSOR)[:1]
        if not column or self.purpose != "task" or not self.project_id.allow_task_dependencies:
            return None
        return column._as_lib_column()
