from odoo import api, models

from odoo.addons.connector_base.models.connector_external_binding import FROM_CONNECTOR

from ..lib import mapper as cells


class ProjectTask(models.Model):
    _name = "project.task"
    _inherit = ["project.task", "connector.external.id.mixin"]

    @api.model_create_multi
    def create(self, vals_list):
        tasks = super().create(vals_list)
        if not self.env.context.get(FROM_CONNECTOR):
            tasks._smartsheet_export_new()
        return tasks

    def write(self, vals):
        # A move or new dependencies change the row though the mapped cells may be the same.
        moved = bool({"parent_id", "depend_on_ids"} & set(vals)) and not self.env.context.get(FROM_CONNECTOR)
        result = super().write(vals)
        if moved:
            # Forget what was exported so the export is not skipped as unchanged.
            bindings = self._smartsheet_bindings()
            bindings.export_hash = False
            bindings._enqueue_exports()
        if "project_id" in vals and not self.env.context.get(FROM_CONNECTOR):
            self._smartsheet_export_new()
        return result

    def unlink(self):
        """Rows of deleted tasks are deleted too when the backend says so (after the tasks are)."""
        rows = {}
        if not self.env.context.get(FROM_CONNECTOR):
            for binding in self._smartsheet_bindings():
                rows.setdefault(binding.external_type, []).append(int(binding.external_id))
        sheets = self.env["smartsheet.sheet"]
        if rows:
            sheets = sheets.sudo().search(
                [("external_type", "in", list(rows)), ("backend_id.deleted_record_action", "=", "delete")]
            )
        result = super().unlink()
        for sheet in sheets.filtered(lambda sheet: sheet._exports()):
            sheet.backend_id._connector_enqueue(
                "_job_delete_rows",
                {"sheet_id": sheet.id, "row_ids": rows[sheet.external_type]},
                kind="export",
                name=self.env._("Delete the rows of deleted tasks from sheet %(sheet)s", sheet=sheet.name),
                object_name=self.env._("sheet %(sheet)s", sheet=sheet.name),
                object_url=sheet.permalink,
                object_type=sheet.external_type,
            )
        return result

    def _smartsheet_bindings(self):
        return (
            self.env["connector.external.binding"]
            .sudo()
            .search(
                [
                    ("backend_model", "=", "smartsheet.backend"),
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                ]
            )
        )

    def _smartsheet_export_new(self):
        """Queue the rows of new tasks in projects whose sheets are exported."""
        projects = self.project_id
        if not projects:
            return
        sheets = self.env["smartsheet.sheet"].sudo().search([("project_id", "in", projects.ids)])
        for sheet in sheets.filtered(lambda sheet: sheet._exports()):
            sheet._enqueue_new_rows_export()

    def _smartsheet_row_deleted(self, action):
        """The rows of these tasks were deleted in Smartsheet; returns how many tasks changed."""
        if action == "delete":
            count = len(self)
            self.unlink()
            return count
        active = self.filtered("active")
        active.write({"active": False})
        return len(active)

    @api.model
    def _smartsheet_default_mappings(self, sheet):
        """Mappings proposed for a task sheet, from the column titles and types."""
        columns = sheet.column_ids.filtered(lambda column: not column.system_column_type)
        roles = columns._guess_roles()
        timezone = self.env.user.tz or "UTC"
        specs = []

        def first(types, role=None):
            candidates = columns.filtered(lambda column: column.column_type in types)
            titled = roles.get(role) if role else None
            return titled if titled and titled.column_type in types else candidates[:1]

        def spec(column, field_name, **extra):
            # Computed columns, and sheets Odoo does not write to, are imported only.
            both = column._writable() and sheet._exports()
            specs.append(
                {
                    "odoo_field": field_name,
                    "external_field": column.column_id,
                    "external_label": column.name,
                    "direction": "both" if both else "import",
                    **extra,
                }
            )

        primary = columns.filtered("primary")[:1]
        if primary:
            spec(primary, "name", required=True)
        deadline = first((cells.DATE, cells.ABSTRACT_DATETIME), "deadline")
        if deadline:
            spec(deadline, "date_deadline", timezone=timezone)
        flag = first((cells.CHECKBOX,), "flag")
        if flag:
            spec(
                flag,
                "priority",
                converter="selection",
                default_value="false",
                value_mappings=[
                    {"external_value": "true", "odoo_value": "1"},
                    {"external_value": "false", "odoo_value": "0"},
                ],
            )
        status = first((cells.PICKLIST,), "status")
        if status:
            spec(
                status,
                "stage_id",
                value_mappings=[
                    {"external_value": option, "odoo_record": stage, "sequence": index}
                    for index, (option, stage) in enumerate(
                        sheet.project_id._smartsheet_stages(status.options or [])
                    )
                ],
            )
        assignee = first((cells.CONTACT_LIST, cells.MULTI_CONTACT_LIST), "assignee")
        if assignee:
            spec(assignee, "user_ids", lookup_by="email")
        tags = first((cells.MULTI_PICKLIST,), "tags")
        if tags:
            spec(tags, "tag_ids", create_missing=True)
        return specs
