from odoo import api, fields, models

from odoo.addons.connector_base.lib.preview import HOLD_FIRST_IMPORT
from odoo.addons.connector_base.lib.sync import FROM_CONNECTOR, content_hash

from ..lib import mapper
from ..lib.client import COMMENT_ACTIONS
from ..lib.markdown import markdown_to_html


class TrelloBoard(models.Model):
    """A Trello board linked to an Odoo project: its lists feed the project's stages and
    its cards the project's tasks. Several boards may feed one project.

    This file holds the link and the board's structure (project, lists, labels). The rest
    extends the model in files of their own: ``trello_board_webhook`` (webhook and re-import),
    ``trello_board_card`` (cards read into tasks), ``trello_board_card_children`` (check
    items, comments, attachments), ``trello_board_card_export`` (tasks sent to cards) and
    ``trello_board_preview`` (the import preview)."""

    _name = "trello.board"
    _description = "Linked Trello Board"
    _order = "backend_id, sequence, id"

    backend_id = fields.Many2one("trello.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    board_id = fields.Char(string="Trello board ID", required=True, readonly=True)
    name = fields.Char(required=True)
    url = fields.Char(string="Trello URL", readonly=True)
    closed = fields.Boolean(string="Archived in Trello", readonly=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    project_id = fields.Many2one(
        "project.project",
        ondelete="set null",
        index=True,
        help="Empty: a project named after the board is created at the next import.",
    )
    owns_project = fields.Boolean(
        string="Project follows the board",
        help="The project's name, description and archiving follow the board's.",
    )
    create_cards = fields.Boolean(
        string="New tasks create cards",
        default=True,
        help="A task created in the project in Odoo becomes a card of this board "
        "(of the first such board when several feed the project).",
    )
    list_ids = fields.One2many("trello.list", "board_link_id", string="Lists")
    labels = fields.Json(readonly=True, help="{label id: {name, color}} of the board.")
    custom_fields = fields.Json(readonly=True, help="{custom field id: definition} of the board.")
    project_hash = fields.Char(
        readonly=True, copy=False, help="Fingerprint of the board values last given to the project."
    )
    webhook_id = fields.Char(string="Webhook ID", readonly=True, copy=False)
    webhook_active = fields.Boolean(readonly=True, copy=False)
    webhook_callback_url = fields.Char(
        string="Registered callback URL",
        readonly=True,
        copy=False,
        help="The address the webhook was registered with: Trello signs each delivery with it, "
        "whatever address Odoo computes today.",
    )
    last_action_id = fields.Char(
        string="Last action seen", compute="_compute_last_action_id", help="Where the next poll starts."
    )
    last_import_at = fields.Datetime(readonly=True, copy=False)
    task_count = fields.Integer(compute="_compute_task_count")

    _sql_constraints = [
        ("board_unique", "UNIQUE (backend_id, board_id)", "This board is already linked to this backend."),
    ]

    def _compute_last_action_id(self):
        # The poll's cursor, kept by the base per board (connector.poll.cursor).
        for link in self:
            backend = link.backend_id
            link.last_action_id = (
                backend._connector_poll_cursor(link.board_id) if backend and link.board_id else False
            )

    def _compute_task_count(self):
        counts = dict(
            self.env["project.task"]._read_group(
                [("trello_board_id", "in", self.ids), ("parent_id", "=", False)],
                ["trello_board_id"],
                ["__count"],
            )
        )
        for link in self:
            link.task_count = counts.get(link, 0)

    # ------------------------------------------------------------------ link and unlink
    @api.model_create_multi
    def create(self, vals_list):
        links = super().create(vals_list)
        links._enqueue_webhook_registration()
        if not self.env.context.get(HOLD_FIRST_IMPORT):  # the import preview starts it
            links._enqueue_import()
        return links

    def unlink(self):
        self._enqueue_webhook_removal()
        return super().unlink()

    def action_unlink_board(self):
        """Stop syncing: the webhook is deleted, the project and its tasks stay in Odoo."""
        self._enqueue_webhook_removal()
        self.write(
            {"active": False, "webhook_id": False, "webhook_active": False, "webhook_callback_url": False}
        )
        return True

    def action_import(self):
        self._enqueue_import()
        return True

    def action_view_tasks(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("project.action_view_all_task")
        action["domain"] = [("trello_board_id", "=", self.id)]
        action["context"] = {}
        return action

    def _enqueue_import(self):
        self._connector_container_enqueue_import("_job_import_board", "board_link_id", "board")

    # ------------------------------------------------------------------ import
    def _import(self):
        """Import the whole board: structure, then cards a page at a time, then comments."""
        self.ensure_one()
        totals = {"created": 0, "updated": 0, "skipped": 0}
        with self.backend_id._trello_session() as client:
            board = client.board(self.board_id)
            # The cursor is taken first: what changes during the import is caught by the next poll.
            cursor = next(iter(board.get("actions") or ()), {}).get("id")
            self._sync_structure(board)
            for page in client.iter_card_pages(self.board_id):
                for key, count in self._sync_cards(page, client=client).items():
                    totals[key] = totals.get(key, 0) + count
            for page in client.iter_action_pages(self.board_id, action_filter=COMMENT_ACTIONS):
                self._sync_comments(mapper.comments(page))
        self.backend_id._connector_poll_set_cursor(
            self.board_id, max(filter(None, (cursor, self.last_action_id)), default=None)
        )
        self.write({"last_import_at": fields.Datetime.now()})
        self.invalidate_recordset(["last_action_id"])
        return totals

    def _sync_structure_from_trello(self):
        with self.backend_id._trello_session() as client:
            board = client.board(self.board_id)
        labels_before = self.labels
        self._sync_structure(board)
        if labels_before is not None and labels_before != self.labels:
            # A renamed or recoloured label changes the tags of its cards: read them all again.
            self._enqueue_import()
        return {"updated": 1}

    def _sync_structure(self, board):
        """Project, stages, labels, custom field definitions and members from a board read."""
        self.ensure_one()
        self._sync_project(board)
        self._sync_lists(board.get("lists") or ())
        values = {
            "name": board.get("name") or self.name,
            "url": board.get("url"),
            "closed": bool(board.get("closed")),
            "labels": {
                label["id"]: {"name": label.get("name") or "", "color": label.get("color")}
                for label in board.get("labels") or ()
            },
            "custom_fields": mapper.custom_field_definitions(board),
        }
        self.write({key: value for key, value in values.items() if self[key] != value})
        if "members" in board:
            self.env["trello.member"]._sync_members(self.backend_id, board["members"])

    def _sync_project(self, board):
        values = {
            "name": board.get("name") or self.name,
            "description": markdown_to_html(board.get("desc") or ""),
            "active": not board.get("closed"),
        }
        board_hash = content_hash(values)
        Project = self.env["project.project"].with_context(active_test=False, **{FROM_CONNECTOR: True})
        if not self.project_id:
            self.write(
                {"project_id": Project.create(values).id, "owns_project": True, "project_hash": board_hash}
            )
        elif self.owns_project and self.project_hash != board_hash:
            self.project_id.with_context(**{FROM_CONNECTOR: True}).write(values)
            self.project_hash = board_hash

    def _sync_lists(self, lists):
        """One stage per list, in list order; a new list reuses a project stage of the same name."""
        project = self.project_id
        known = {item.list_id: item for item in self.list_ids}
        policy = self.backend_id.archived_list_policy
        stages_by_name = {stage.name.lower(): stage for stage in project.type_ids}
        taken = set(self.list_ids.stage_id.ids)
        new_lists, new_stages = [], []
        for item in mapper.stages(lists):
            mapping = known.get(item["id"])
            if mapping:
                mapping._follow_list(item, policy)
                continue
            reused = stages_by_name.get(item["name"].lower())
            if reused and reused.id not in taken:
                new_lists.append((item, reused))
                taken.add(reused.id)
            else:
                new_lists.append((item, None))
                new_stages.append(
                    {
                        "name": item["name"],
                        "sequence": item["sequence"],
                        "project_ids": [(4, project.id)],
                        "fold": item["closed"] and policy == "fold",
                        "active": not (item["closed"] and policy == "archive"),
                    }
                )
        created = iter(
            self.env["project.task.type"].with_context(**{FROM_CONNECTOR: True}).create(new_stages)
        )
        self.env["trello.list"].create(
            [
                {
                    "board_link_id": self.id,
                    "list_id": item["id"],
                    "name": item["name"],
                    "sequence": item["sequence"],
                    "closed": item["closed"],
                    "stage_id": (stage or next(created)).id,
                    "owns_stage": stage is None,
                }
                for item, stage in new_lists
            ]
        )

    # ------------------------------------------------------------------ lists and labels
    def _list_for_stage(self, stage):
        lists = self.list_ids.filtered(lambda item: item.stage_id == stage and not item.closed)
        return lists.sorted("sequence")[:1]

    def _create_list(self, stage, client):
        created = client.create_list(self.board_id, stage.name)
        return self.env["trello.list"].create(
            {
                "board_link_id": self.id,
                "list_id": created["id"],
                "name": created["name"],
                "sequence": max(self.list_ids.mapped("sequence"), default=0) + 1,
                "stage_id": stage.id,
            }
        )

    def _label_ids_for_tags(self, tags, client):
        """The board's label for each tag (same name, any case); labels are created for new tags."""
        labels = dict(self.labels or {})
        by_name = {mapper.label_name(label).lower(): label_id for label_id, label in labels.items()}
        ids = []
        for tag in tags:
            label_id = by_name.get(tag.name.lower())
            if not label_id:
                created = client.create_label(self.board_id, tag.name, mapper.trello_color(tag.color))
                label_id = created["id"]
                labels[label_id] = {"name": created.get("name") or tag.name, "color": created.get("color")}
                by_name[tag.name.lower()] = label_id
            ids.append(label_id)
        if labels != (self.labels or {}):
            self.labels = labels
        return ids

    def _tags_for_labels(self, labels):
        """{lowercase name: tag id} for the labels' names; missing tags are created with the
        label's nearest Odoo colour. No more than two queries."""
        wanted = {}
        for label in labels:
            wanted.setdefault(label["name"].lower(), label)
        if not wanted:
            return {}
        Tag = self.env["project.tags"].with_context(active_test=False)
        found = {}
        for tag in Tag.search_fetch([("name", "in", [label["name"] for label in wanted.values()])], ["name"]):
            found.setdefault(tag.name.lower(), tag.id)
        missing = [key for key in wanted if key not in found]
        if missing:
            # Same name in another letter case: one tag, as Trello matches labels that way too.
            for tag in Tag.search_fetch(
                ["|"] * (len(missing) - 1) + [("name", "=ilike", key) for key in missing], ["name"]
            ):
                found.setdefault(tag.name.lower(), tag.id)
        missing = [key for key in wanted if key not in found]
        created = Tag.create(
            [
                {"name": wanted[key]["name"], "color": mapper.odoo_color(wanted[key]["color"])}
                for key in missing
            ]
        )
        found.update(zip(missing, created.ids, strict=True))
        return found
