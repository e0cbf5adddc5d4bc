from odoo import fields, models


class ProjectProject(models.Model):
    _inherit = "project.project"

    smartsheet_sheet_ids = fields.One2many("smartsheet.sheet", "project_id", string="Smartsheet sheets")

    def _smartsheet_stages(self, options):
        """[(option, stage)] for the options of a status column: the project's stage of that
        name, created (for this project) when it has none."""
        self.ensure_one()
        by_name = {stage.name.strip().lower(): stage for stage in self.type_ids}
        missing = [option for option in options if option.strip().lower() not in by_name]
        start = max(self.type_ids.mapped("sequence"), default=0)
        created = self.env["project.task.type"].create(
            [
                {"name": option, "project_ids": [(4, self.id)], "sequence": start + index + 1}
                for index, option in enumerate(missing)
            ]
        )
        by_name.update((stage.name.strip().lower(), stage) for stage in created)
        return [(option, by_name[option.strip().lower()]) for option in options]
