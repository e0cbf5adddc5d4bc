import logging
from datetime import timedelta, timezone

from odoo import api, fields, models

from odoo.addons.connector_base.lib.errors import (
    AuthenticationError,
    ConnectorError,
    NotFoundError,
    PermissionDeniedError,
)
from odoo.addons.connector_base.models.connector_external_binding import (
    FROM_CONNECTOR,
    QUIET_CREATE_CONTEXT,
    content_hash,
)
from odoo.addons.connector_base.models.connector_import_preview_mixin import HOLD_FIRST_IMPORT

from ..lib import mapper
from ..lib.client import CARD_FIELD_DETAILS, COMMENT_ACTIONS
from ..lib.markdown import markdown_to_html

_logger = logging.getLogger(__name__)

CARD, CHECK_ITEM, COMMENT, ATTACHMENT = "card", "checkitem", "comment", "attachment"
INT_MAX = 2**31 - 1
# An interrupted create is looked for among the cards made since it began, give or take this.
CREATE_CLOCK_SKEW = timedelta(minutes=1)
# Who wins a field both sides changed, for what Trello's structure decides (the mapped
# fields take theirs from the field mappings): Trello wins on progress and placement,
# a person decides on tags and assignees.
STRUCTURE_AUTHORITIES = {
    "project_id": "platform",
    "trello_board_id": "platform",
    "stage_id": "platform",
    "sequence": "platform",
    "trello_card_url": "platform",
    "tag_ids": "",
    "user_ids": "",
}
# Trello card field -> the structural task field it comes from, for exports.
STRUCTURE_EXPORTS = {"idList": "stage_id", "idLabels": "tag_ids", "idMembers": "user_ids"}


class TrelloBoard(models.Model):
    """A Trello board linked to an Odoo project: its lists feed the project's stages and
    its cards the project's tasks. Several boards may feed one project."""

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
        string="Last action seen", readonly=True, copy=False, help="Where the next poll starts."
    )
    last_import_at = fields.Datetime(readonly=True, copy=False)
    task_count = fields.Integer(compute="_compute_task_count")

    _sql_constraints = [
        ("board_unique", "UNIQUE (backend_id, board_id)", "This board is already linked to this backend."),
    ]

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
        for link in self:
            link.backend_id._connector_enqueue(
                "_job_import_board",
                {"board_link_id": link.id},
                name=self.env._("Import board %(board)s", board=link.name),
                object_name=self.env._("board %(board)s", board=link.name),
                object_url=link.url,
                object_type="board",
                identity_key=f"import:{link.id}",
                priority=20,
            )

    def _enqueue_webhook_registration(self):
        for link in self.filtered("active"):
            link.backend_id._connector_enqueue(
                "_job_register_webhook",
                {"board_link_id": link.id},
                kind="webhook_setup",
                name=self.env._("Register the webhook of board %(board)s", board=link.name),
                object_name=self.env._("board %(board)s", board=link.name),
                object_url=link.url,
                object_type="webhook",
                identity_key=f"webhook:{link.id}",
                priority=5,
            )

    def _enqueue_webhook_removal(self):
        for link in self.filtered("webhook_id"):
            link.backend_id._connector_enqueue(
                "_job_unregister_webhook",
                {"webhook_id": link.webhook_id},
                kind="webhook_setup",
                name=self.env._("Remove the webhook of board %(board)s", board=link.name),
                object_name=self.env._("board %(board)s", board=link.name),
                object_url=link.url,
                object_type="webhook",
                identity_key=f"unwebhook:{link.webhook_id}",
                priority=5,
            )

    # ------------------------------------------------------------------ webhooks
    def _register_webhook(self, client):
        """Make sure Trello calls us for this board (reusing the token's webhook for it); True if created."""
        self.ensure_one()
        webhook, created = client.ensure_webhook(
            self.board_id, self.backend_id.webhook_url, f"Odoo {self.env.cr.dbname}: {self.name}"[:16384]
        )
        if not webhook.get("active", True):
            webhook = client.activate_webhook(webhook["id"])
        self.write(
            {
                "webhook_id": webhook["id"],
                "webhook_active": bool(webhook.get("active", True)),
                "webhook_callback_url": webhook.get("callbackURL") or self.backend_id.webhook_url,
            }
        )
        return created

    def _check_webhooks(self, client):
        """The webhook health check of these boards: a missing webhook is registered again and
        an inactive one re-activated. Returns one (label, ok, detail) triple."""
        details, healthy = [], True
        for link in self:
            try:
                detail = link._repair_webhook(client)
            except ConnectorError as error:
                healthy = False
                detail = self.env._("%(board)s: %(error)s", board=link.name, error=str(error))
            details.append(detail)
        label = self.env._("Webhooks")
        return label, healthy, "; ".join(details) or self.env._("No linked board.")

    def _repair_webhook(self, client):
        """Compare the board's webhook in Trello with what it should be: registered at the
        backend's webhook URL and active. A webhook at another address is replaced (the new one
        first, so Trello checks it), an inactive one re-activated."""
        if not self.webhook_id:
            self._register_webhook(client)
            return self.env._("%s: registered", self.name)
        try:
            webhook = client.webhook(self.webhook_id)
        except NotFoundError:
            self._register_webhook(client)
            return self.env._("%s: was missing, registered again", self.name)
        wanted_url = self.backend_id.webhook_url
        if webhook.get("callbackURL") != wanted_url:
            old_id, old_url = webhook["id"], webhook.get("callbackURL")
            self._register_webhook(client)
            if self.webhook_id != old_id:
                client.delete_webhook(old_id)
            return self.env._(
                "%(board)s: was registered at %(old)s, registered again at %(new)s",
                board=self.name,
                old=old_url,
                new=wanted_url,
            )
        if self.webhook_callback_url != webhook.get("callbackURL"):
            self.webhook_callback_url = webhook.get("callbackURL")
        if not webhook.get("active"):
            client.activate_webhook(self.webhook_id)
            self.webhook_active = True
            return self.env._("%s: was inactive, re-activated", self.name)
        return self.env._("%s: active", self.name)

    # ------------------------------------------------------------------ polling
    @api.model
    def _cron_poll(self):
        """The safety net under webhooks: fetch each board's actions since the last one seen."""
        links = self.search(
            [
                ("last_import_at", "!=", False),
                ("backend_id.active", "=", True),
                ("backend_id.needs_reauthorization", "=", False),
            ]
        )
        for link in links.filtered(lambda link: not link.backend_id.paused):
            try:
                link._poll()
            except AuthenticationError as error:
                link.backend_id._connector_credentials_refused(error)
            except ConnectorError as error:
                _logger.warning("Polling Trello board %s failed: %s", link.display_name, error)

    @api.model
    def _cron_reimport(self):
        """Re-read every linked board: Trello leaves some changes (label edits, deleted comments,
        check item renames) out of its action listings, so only a full read catches them when
        their webhook was missed. Unchanged cards cost no write."""
        self.search([("last_import_at", "!=", False), ("backend_id.active", "=", True)])._enqueue_import()

    def _poll(self):
        """Queue the actions after the cursor; one API call and no write when there are none."""
        self.ensure_one()
        backend = self.backend_id
        with backend._trello_session() as client:
            actions = client.actions_since(self.board_id, self.last_action_id)
        if not actions:
            return 0
        # Each action goes the way of a webhook delivery, claimed by its id: it arrives
        # once, whichever way comes first.
        fresh = [action for action in actions if backend._webhook_accept({"action": action}, action["id"])]
        self.last_action_id = max(action["id"] for action in actions)
        return len(fresh)

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
        self.write(
            {
                "last_action_id": max(filter(None, (cursor, self.last_action_id)), default=False),
                "last_import_at": fields.Datetime.now(),
            }
        )
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

    # ------------------------------------------------------------------ cards
    def _sync_card_after_action(self, card_id, action_date):
        """Bring the task of a card up to date after an action on it, re-reading the card.

        Skipped without a call when the card as last read already had this action (its last
        activity is not older than the action): redeliveries, late deliveries and our own
        changes coming back cost nothing.
        """
        backend = self.backend_id
        read_at = backend._card_bindings(card_ids=[card_id]).external_updated_at
        if action_date and read_at and read_at >= action_date:
            return {"skipped": 1, "summary": self.env._("Already read after this action.")}
        with backend._trello_session() as client:
            try:
                card = client.card(card_id)
            except (NotFoundError, PermissionDeniedError):
                # Deleted, or moved where the token may not see it: this card alone leaves Odoo's view.
                return self._archive_missing_cards([card_id])
            link = backend._link_of(card.get("idBoard"))
            if not link:  # moved to a board that is not linked
                return self._archive_missing_cards([card_id])
            return link._sync_cards([card], client=client)

    def _archive_missing_cards(self, card_ids):
        tasks = self.env["project.task"]._connector_find(self.backend_id, CARD, card_ids)
        records = self.env["project.task"].browse([task.id for task in tasks.values()]).filtered("active")
        records.with_context(**{FROM_CONNECTOR: True}).write({"active": False})
        return {
            "updated": len(records),
            "summary": self.env._("Card deleted, made a template, or moved off the linked boards."),
        }

    def _sync_cards(self, cards, *, client=None):
        """Create or update the tasks of ``cards`` (Trello card JSON) of this board, with their
        sub-tasks, attachments and, for cards read with their comments, comments.

        Everything is done per batch: one mapping run, one lookup of stages, tags and users,
        one upsert of tasks and one of each kind of child, whatever the number of cards.
        """
        self.ensure_one()
        backend = self.backend_id
        templates = [card["id"] for card in cards if card.get("isTemplate")]
        if templates:
            # A template is a blueprint for cards, not work: it has no task (see readme/USAGE.md).
            self._archive_missing_cards(templates)
            cards = [card for card in cards if not card.get("isTemplate")]
        if client and {card.get("idList") for card in cards} - set(self.list_ids.mapped("list_id")):
            # A list this board has not seen yet (its createList action may come later): read it first.
            self._sync_structure(client.board(self.board_id))
        by_id = {card["id"]: card for card in cards}
        card_mapper, batch, items = self._map_cards(cards)
        if batch.failed:
            self.env["connector.field.mapping"]._quarantine(
                backend,
                "_job_import_card",
                [({"id": record["id"], "idBoard": self.board_id}, error) for record, error in batch.failed],
                external_type=CARD,
            )
        # Only cards bound before can have children Trello removed since: new ones cost no lookup.
        known = set(self.env["connector.external.binding"]._lookup(backend, CARD, list(by_id)))
        result = (
            self.env["project.task"]
            .with_context(**QUIET_CREATE_CONTEXT)
            ._connector_upsert(
                backend, CARD, items, authorities={**STRUCTURE_AUTHORITIES, **card_mapper.authorities}
            )
        )
        task_ids = result.record_ids
        imported = [by_id[card_id] for card_id in task_ids]
        self._sync_check_items([card for card in imported if "checklists" in card], task_ids, known)
        self._sync_attachments([card for card in imported if "attachments" in card], task_ids, known, client)
        with_comments = [card for card in imported if "actions" in card]
        if with_comments:
            comments = mapper.comments(action for card in with_comments for action in card["actions"])
            self._sync_comments(
                comments, task_ids=task_ids, full_for=[task_ids[card["id"]] for card in with_comments]
            )
        return result.as_job_result()

    def _reconcile_cards(self, client):
        """(card id, content hash) of every card of the board as an import would write its task,
        a page of cards at a time: what reconciliation compares with the bindings. Template cards
        have no task; a card the mapping refuses hashes to None (it differs from anything bound)."""
        self.ensure_one()
        for page in client.iter_card_pages(self.board_id, details=CARD_FIELD_DETAILS):
            cards = [card for card in page if not card.get("isTemplate")]
            _card_mapper, batch, items = self._map_cards(cards)
            for item in items:
                yield item["external_id"], content_hash(item["values"])
            for record, _error in batch.failed:
                yield record["id"], None

    def _map_cards(self, cards):
        """(card mapper, ``MappedBatch``, task upsert items of the cards mapped): the cards as
        the mappings and the board's structure make them. Writes nothing but the tags of new
        labels; the import and its preview share it."""
        card_mapper = self.env["connector.field.mapping"]._get_mapper(self.backend_id, CARD, "project.task")
        by_id = {card["id"]: card for card in cards}
        batch = card_mapper.to_odoo_batch([mapper.card_record(card, self.custom_fields) for card in cards])
        structure = self._card_structure([by_id[record["id"]] for record, _values in batch.good])
        items = [
            {
                "external_id": record["id"],
                "values": {**values, **structure(by_id[record["id"]])},
                "external_updated_at": mapper.parse_instant(by_id[record["id"]].get("dateLastActivity")),
            }
            for record, values in batch.good
        ]
        return card_mapper, batch, items

    def _card_structure(self, cards):
        """``values(card)``: the task values Trello's structure decides, with the lists, tags and
        users of all ``cards`` resolved at once."""
        stage_by_list = {item.list_id: item.stage_id.id for item in self.list_ids}
        tag_by_name = self._tags_for_labels([label for card in cards for label in mapper.card_labels(card)])
        user_by_member = self.env["trello.member"]._users_by_member(self.backend_id)
        project_id = self.project_id.id

        def values(card):
            result = {
                "project_id": project_id,
                "trello_board_id": self.id,
                "stage_id": stage_by_list.get(card.get("idList"), False),
                "sequence": min(int(card.get("pos") or 0), INT_MAX),
                "trello_card_url": card.get("shortUrl") or card.get("url") or False,
            }
            if "labels" in card:
                tags = {tag_by_name[label["name"].lower()] for label in mapper.card_labels(card)}
                result["tag_ids"] = [(6, 0, sorted(tags))]
            if "idMembers" in card:
                users = {user_by_member[member] for member in card["idMembers"] if member in user_by_member}
                result["user_ids"] = [(6, 0, sorted(users))]
            return result

        return values

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

    def _sync_check_items(self, cards, task_ids, known):
        """Check items become sub-tasks of the card's task (checked: done); removed ones are archived."""
        if not cards:
            return
        items = []
        for card in cards:
            parent = task_ids[card["id"]]
            for item in mapper.check_items(card):
                items.append(
                    {
                        "external_id": item["id"],
                        "values": {
                            "name": item["name"] or item["checklist"] or "-",
                            "parent_id": parent,
                            "project_id": self.project_id.id,
                            "state": "1_done" if item["done"] else "01_in_progress",
                            "sequence": item["sequence"],
                        },
                    }
                )
        Task = self.env["project.task"].with_context(**QUIET_CREATE_CONTEXT)
        result = Task._connector_upsert(self.backend_id, CHECK_ITEM, items)
        parents = [task_ids[card["id"]] for card in cards if card["id"] in known]
        children = (
            Task.with_context(active_test=False).search([("parent_id", "in", parents)]) if parents else Task
        )
        gone = self._bound_children(CHECK_ITEM, children, keep=result.record_ids)
        Task.browse(gone.values()).with_context(**{FROM_CONNECTOR: True}).filtered("active").write(
            {"active": False}
        )

    def _bound_children(self, external_type, children, keep):
        """{external id: record id} of the ``children`` bound as ``external_type`` whose external
        id is not in ``keep``: what Trello no longer has."""
        if not children:
            return {}
        bindings = (
            self.env["connector.external.binding"]
            .sudo()
            .search_fetch(
                [
                    ("backend_model", "=", self.backend_id._name),
                    ("backend_id", "=", self.backend_id.id),
                    ("external_type", "=", external_type),
                    ("res_model", "=", children._name),
                    ("res_id", "in", children.ids),
                ],
                ["external_id", "res_id"],
            )
        )
        return {
            binding.external_id: binding.res_id for binding in bindings if binding.external_id not in keep
        }

    def _sync_comments(self, comments, *, task_ids=None, full_for=()):
        """Comments become chatter notes by the mapped user, or named after the Trello member.

        ``full_for``: tasks whose comments were all read (a card read with its comments), so
        a bound note missing from them was deleted in Trello.
        """
        backend = self.backend_id
        if task_ids is None:
            card_ids = list({comment["card_id"] for comment in comments})
            found = self.env["project.task"]._connector_find(backend, CARD, card_ids)
            task_ids = {card_id: task.id for card_id, task in found.items()}
        partner_by_member = self.env["trello.member"]._partners_by_member(backend)
        note = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note")
        items = []
        for comment in comments:
            task_id = task_ids.get(comment["card_id"])
            if not task_id:
                continue
            partner = partner_by_member.get(comment["member_id"], False)
            items.append(
                {
                    "external_id": comment["id"],
                    "values": {
                        "model": "project.task",
                        "res_id": task_id,
                        "body": comment["html"],
                        "date": comment["date"],
                        "author_id": partner,
                        "email_from": False if partner else self.env._("%s (Trello)", comment["member_name"]),
                        "message_type": "comment",
                        "subtype_id": note,
                    },
                }
            )
        Binding = self.env["connector.external.binding"]
        result = Binding.with_context(**QUIET_CREATE_CONTEXT)._upsert(backend, COMMENT, "mail.message", items)
        if full_for:
            notes = (
                self.env["mail.message"]
                .sudo()
                .search([("model", "=", "project.task"), ("res_id", "in", full_for)])
            )
            gone = self._bound_children(COMMENT, notes, keep=result.record_ids)
            self.env["mail.message"].browse(gone.values()).sudo().unlink()
            Binding._unbind(backend, COMMENT, list(gone))

    def _sync_attachments(self, cards, task_ids, known, client):
        """Uploaded files up to the size limit are copied; links and bigger files are kept as URLs.
        Attachments never change in Trello: the new ones are added, the removed ones removed."""
        if not cards:
            return
        backend = self.backend_id
        Binding = self.env["connector.external.binding"]
        limit = backend.attachment_max_size * 1024 * 1024
        wanted = {
            attachment["id"]: (card, attachment)
            for card in cards
            for attachment in mapper.attachments(card, limit)
        }
        known = Binding._lookup(backend, ATTACHMENT, list(wanted))
        vals_list, new_ids = [], []
        for attachment_id, (card, attachment) in wanted.items():
            if attachment_id in known:
                continue
            values = {"name": attachment["name"], "res_model": "project.task", "res_id": task_ids[card["id"]]}
            content = None
            if attachment["download"] and client is not None:
                try:
                    content = client.download_attachment(card["id"], attachment_id, attachment["file_name"])
                except PermissionDeniedError:
                    content = None  # this file is refused to the token: keep its link, like a big one
            if content is not None:
                values.update({"raw": content, "mimetype": attachment["mimetype"] or None})
            else:
                values.update({"type": "url", "url": attachment["url"]})
            vals_list.append(values)
            new_ids.append(attachment_id)
        created = self.env["ir.attachment"].create(vals_list)
        if created:
            Binding._bind(backend, ATTACHMENT, dict(zip(new_ids, created, strict=True)))
        parents = [task_ids[card["id"]] for card in cards if card["id"] in known]
        Attachment = self.env["ir.attachment"]
        files = (
            Attachment.search([("res_model", "=", "project.task"), ("res_id", "in", parents)])
            if parents
            else Attachment
        )
        gone = self._bound_children(ATTACHMENT, files, keep=wanted)
        self.env["ir.attachment"].browse(gone.values()).unlink()
        Binding._unbind(backend, ATTACHMENT, list(gone))

    # ------------------------------------------------------------------ export
    def _card_structure_values(self, task):
        """The Trello side of a task's stage, tags and assignees, for the export hash."""
        mapped_list = self._list_for_stage(task.stage_id)
        members = self.env["trello.member"]._members_by_user(self.backend_id, task.user_ids)
        return {
            "idList": mapped_list.list_id if mapped_list else f"stage:{task.stage_id.id}",
            "idLabels": sorted(task.tag_ids.mapped("name")),  # names: labels may not exist yet
            "idMembers": sorted(members.values()),
        }

    def _list_for_stage(self, stage):
        lists = self.list_ids.filtered(lambda item: item.stage_id == stage and not item.closed)
        return lists.sorted("sequence")[:1]

    def _export_card(self, binding, task):
        """Send to the card what Odoo changed, once both-sides changes are settled.

        The card is read first and imported with the mappings' authorities: a field Trello
        changed too is decided there (Trello wins, Odoo wins, or a conflict for a person).
        Then only the fields where Odoo differs from the card, and that no open conflict
        holds, are sent. Returns the card's new modification time.
        """
        backend = self.backend_id
        with backend._trello_session() as client:
            card = client.card(binding.external_id)
            self._sync_cards([card], client=client)
            task.invalidate_recordset()
            update, custom = self._card_differences(binding, task, card, client)
            if update:
                card = client.update_card(card["id"], update)
            for definition, value in custom:
                client.set_custom_field_item(
                    card["id"], definition["id"], mapper.custom_field_item(definition, value)
                )
        self._remember_card(binding, card)
        return mapper.parse_instant(card.get("dateLastActivity"))

    def _card_differences(self, binding, task, card, client):
        """(PUT form fields, [(custom field definition, value)]) where the task differs from the card."""
        card_mapper = self.env["connector.field.mapping"]._get_mapper(self.backend_id, CARD, "project.task")
        held = self.backend_id._held_fields(binding)
        rules = {rule.external_field: rule.odoo_field for rule in card_mapper.rules if rule.exports}
        wanted = {
            key: value for key, value in card_mapper.to_external(task).items() if rules.get(key) not in held
        }
        current = mapper.card_record(card, self.custom_fields)
        update, custom = {}, []
        definitions = {definition["name"]: definition for definition in (self.custom_fields or {}).values()}
        for key, value in wanted.items():
            if key.startswith(mapper.CUSTOM_FIELD_PREFIX):
                definition = definitions.get(key.removeprefix(mapper.CUSTOM_FIELD_PREFIX))
                same = definition and mapper.custom_field_item(definition, value) == mapper.custom_field_item(
                    definition, current.get(key)
                )
                if definition and not same:
                    custom.append((definition, value))
            elif not _same_value(key, value, current.get(key)):
                update[key] = value
        for key, value in self._card_structure_wanted(task, card, client).items():
            if STRUCTURE_EXPORTS[key] in held:
                continue
            same = value == card.get(key) if key == "idList" else set(value) == set(card.get(key) or ())
            if not same:
                update[key] = value
        return mapper.card_update(update), custom

    def _card_structure_wanted(self, task, card, client):
        """idList, idLabels and idMembers the card should have after the task; missing lists
        and labels are created on the board. Members Odoo cannot represent (not mapped to a
        user) stay on the card."""
        mapped_list = self._list_for_stage(task.stage_id) or self._create_list(task.stage_id, client)
        members = self.env["trello.member"]
        mapped_members = members._members_by_user(self.backend_id, task.user_ids)
        known_members = set(members._users_by_member(self.backend_id))
        kept = [member for member in card.get("idMembers") or () if member not in known_members]
        return {
            "idList": mapped_list.list_id,
            "idLabels": self._label_ids_for_tags(task.tag_ids, client),
            "idMembers": sorted(set(mapped_members.values()) | set(kept)),
        }

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

    def _remember_card(self, binding, card):
        """Record the card as Trello now holds it as the last sync, so the webhook telling us
        about our own change finds nothing new. Fields an open conflict holds keep their past."""
        card_mapper = self.env["connector.field.mapping"]._get_mapper(self.backend_id, CARD, "project.task")
        values, _warnings = card_mapper.to_odoo(mapper.card_record(card, self.custom_fields))
        values.update(self._card_structure([card])(card))
        held = self.backend_id._held_fields(binding)
        synced = {
            **(binding.synced_values or {}),
            **{name: value for name, value in values.items() if name not in held},
        }
        self.env["connector.external.binding"]._update_hashes(
            [(binding.id, content_hash(values), mapper.parse_instant(card.get("dateLastActivity")), synced)]
        )

    def _create_card(self, task):
        """Create the card of a task made in Odoo, in the list of its stage, and bind them."""
        backend = self.backend_id
        if backend._card_bindings(task_ids=task.ids):
            return {"skipped": 1, "summary": self.env._("The task already has a card.")}
        card_mapper = self.env["connector.field.mapping"]._get_mapper(backend, CARD, "project.task")
        with backend._trello_session() as client:
            values = {
                key: value
                for key, value in card_mapper.to_external(task).items()
                if not key.startswith(mapper.CUSTOM_FIELD_PREFIX)
            }
            values.update(self._card_structure_wanted(task, {}, client))
            form = mapper.card_update(values)
            form["pos"] = "bottom"
            card, _created = backend._connector_create_once(
                CARD,
                task,
                create=lambda _token: client.create_card(form),
                find=lambda _token, started_at: self._card_created_by(client, form, started_at),
            )
        task.with_context(**{FROM_CONNECTOR: True}).write(
            {"trello_board_id": self.id, "trello_card_url": card.get("shortUrl") or card.get("url")}
        )
        task._connector_bind(backend, CARD, card["id"])
        self._remember_card(backend._card_bindings(task_ids=task.ids), card)
        return {"created": 1}

    def _card_created_by(self, client, form, started_at):
        """The card an interrupted create of ``form`` made, if any: Trello keeps no client
        key, so an unbound card of that name in that list, created since the attempt began
        (a minute of clock skew allowed)."""
        since = (started_at - CREATE_CLOCK_SKEW).replace(tzinfo=timezone.utc)
        candidates = [
            card
            for card in client.cards_created_since(self.board_id, since)
            if card.get("name") == form.get("name") and card.get("idList") == form.get("idList")
        ]
        bound = self.env["connector.external.binding"]._lookup(
            self.backend_id, CARD, [card["id"] for card in candidates]
        )
        unbound = [card for card in candidates if card["id"] not in bound]
        # The oldest: the first attempt's, should several have been interrupted.
        return min(unbound, key=lambda card: card["id"]) if unbound else None


def _same_value(key, wanted, current):
    """Whether a card field already holds the value Odoo wants, compared as Trello would store it."""
    if key in ("due", "start"):
        return mapper.parse_datetime(wanted) == mapper.parse_datetime(current)
    return mapper.card_update({key: wanted}) == mapper.card_update({key: current})
