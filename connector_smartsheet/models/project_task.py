from odoo import api, models

from ..lib import mapper as cells


class ProjectTask(models.Model):
    _name = "project.task"
    _inherit = ["project.task", "connector.external.id.mixin"]

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
