from odoo import api, fields, models

from odoo.addons.connector_base.models.connector_external_binding import FROM_CONNECTOR

# Task fields a Trello card export depends on beyond the field mappings: its list, labels
# and members follow the board's structure, not a mapping.
STRUCTURE_FIELDS = frozenset({"stage_id", "tag_ids", "user_ids"})


class ProjectTask(models.Model):
    _name = "project.task"
    _inherit = ["project.task", "connector.external.id.mixin"]

    planned_date_start = fields.Datetime(string="Start date", copy=False)
    trello_board_id = fields.Many2one(
        "trello.board",
        string="Trello board",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
    trello_card_url = fields.Char(string="Trello card", readonly=True, copy=False)

    @api.model_create_multi
    def create(self, vals_list):
        tasks = super().create(vals_list)
        if not self.env.context.get(FROM_CONNECTOR):
            tasks._trello_enqueue_card_creation()
        return tasks

    def write(self, vals):
        result = super().write(vals)
        if "project_id" in vals and not self.env.context.get(FROM_CONNECTOR):
            self._trello_enqueue_card_creation()
        return result

    def unlink(self):
        # A task's notes and attachments are deleted with it (before any ondelete hook runs), but
        # their bindings point at them by id only and would keep a re-imported card from
        # getting them back: they go first.
        messages = (
            self.env["mail.message"].sudo().search([("model", "=", self._name), ("res_id", "in", self.ids)])
        )
        files = (
            self.env["ir.attachment"]
            .sudo()
            .search([("res_model", "=", self._name), ("res_id", "in", self.ids)])
        )
        self.env["connector.external.binding"].sudo().search(
            [
                "|",
                "&",
                ("res_model", "=", "mail.message"),
                ("res_id", "in", messages.ids),
                "&",
                ("res_model", "=", "ir.attachment"),
                ("res_id", "in", files.ids),
            ]
        ).unlink()
        return super().unlink()

    def _connector_enqueue_exports(self, field_names):
        result = super()._connector_enqueue_exports(field_names)
        if STRUCTURE_FIELDS.intersection(field_names) and self.ids:
            self.env["connector.external.binding"].sudo().search(
                [
                    ("backend_model", "=", "trello.backend"),
                    ("external_type", "=", "card"),
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                ]
            )._enqueue_exports()
        return result

    def _trello_enqueue_card_creation(self):
        """Queue a card for each new top-level task of a project fed by a linked board."""
        tasks = self.filtered(lambda task: task.project_id and not task.parent_id)
        if not tasks:
            return
        links = (
            self.env["trello.board"]
            .sudo()
            .search(
                [
                    ("project_id", "in", tasks.project_id.ids),
                    ("create_cards", "=", True),
                    ("active", "=", True),
                ]
            )
        )
        if not links:
            return
        bound = set(
            self.env["connector.external.binding"]
            .sudo()
            .search(
                [
                    ("backend_model", "=", "trello.backend"),
                    ("external_type", "=", "card"),
                    ("res_model", "=", self._name),
                    ("res_id", "in", tasks.ids),
                ]
            )
            .mapped("res_id")
        )
        first_link = {}
        for link in links:
            first_link.setdefault(link.project_id.id, link)
        for task in tasks:
            link = first_link.get(task.project_id.id)
            if link and task.id not in bound:
                link.backend_id._connector_enqueue(
                    "_job_create_card",
                    {"task_id": task.id, "board_link_id": link.id},
                    kind="export",
                    name=self.env._(
                        "Create the card of task %(task)s on board %(board)s",
                        task=task.display_name,
                        board=link.name,
                    ),
                    object_name=self.env._("board %(board)s", board=link.name),
                    object_url=link.url,
                    object_type="card",
                    identity_key=f"create_card:{task.id}",
                )
