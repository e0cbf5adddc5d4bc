import logging
from contextlib import contextmanager

import requests

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.connector_base.lib.errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectorError,
    NotFoundError,
    PermissionDeniedError,
)
from odoo.addons.connector_base.lib.signature import SignatureScheme
from odoo.addons.connector_base.models.connector_error_text import connector_error_text
from odoo.addons.connector_base.models.connector_external_binding import content_hash

from ..lib import mapper
from ..lib.client import API_URL, TrelloClient
from .trello_board import STRUCTURE_EXPORTS

_logger = logging.getLogger(__name__)

MANAGER_GROUP = "connector_base.group_connector_manager"
CARD = "card"
# The card fields a new backend maps; a person edits them under Configuration > Field mappings.
# Lists, labels, members, check items, comments and attachments follow Trello's own structure
# and are handled by the connector (see trello.board).
CARD_MAPPING_DEFAULTS = [
    {
        "odoo_field": "name",
        "external_field": "name",
        "external_label": "Card name",
        "converter": "text",
        "default_value": "Untitled card",
        "sequence": 1,
    },
    {
        "odoo_field": "description",
        "external_field": "desc",
        "external_label": "Description (Markdown, shown as HTML)",
        "converter": "text",
        "sequence": 2,
    },
    {
        "odoo_field": "date_deadline",
        "external_field": "due",
        "external_label": "Due date",
        "converter": "datetime",
        "authority": "odoo",
        "sequence": 3,
    },
    {
        "odoo_field": "planned_date_start",
        "external_field": "start",
        "external_label": "Start date",
        "converter": "datetime",
        "sequence": 4,
    },
    {
        "odoo_field": "state",
        "external_field": "dueComplete",
        "external_label": "Due date complete",
        "converter": "selection",
        "authority": "platform",
        "sequence": 5,
        # The other states export as "not complete".
        "value_mappings": [
            {"external_value": "true", "odoo_value": "1_done", "sequence": 1},
            {"external_value": "false", "odoo_value": "01_in_progress", "sequence": 2},
        ],
    },
    {
        "odoo_field": "active",
        "external_field": "open",
        "external_label": "Open (not archived)",
        "converter": "boolean",
        "authority": "platform",
        "sequence": 6,
    },
]


class TrelloBackend(models.Model):
    """A Trello account (API key, app secret, user token) and the boards it links."""

    _name = "trello.backend"
    _inherit = ["connector.backend.mixin"]
    _description = "Trello Backend"

    _connector_secret_fields = ("api_key", "app_secret", "token")
    _webhook_route = "/connector/trello/webhook/{backend_id}"
    _webhook_signature = SignatureScheme(
        "X-Trello-Webhook", algorithm="sha1", encoding="base64", include_url=True
    )
    _webhook_secret_field = "app_secret"
    _webhook_job_method = "_job_apply_action"

    api_url = fields.Char(
        string="API URL",
        required=True,
        default=API_URL,
        help="Trello's API; a local emulator's address for a demo.",
    )
    api_key = fields.Char(
        string="API key",
        compute="_compute_connector_secrets",
        inverse="_inverse_connector_secrets",
        groups=MANAGER_GROUP,
        help="From the API key tab of your Trello Power-Up admin page.",
    )
    app_secret = fields.Char(
        compute="_compute_connector_secrets",
        inverse="_inverse_connector_secrets",
        groups=MANAGER_GROUP,
        help="Shown next to the API key; checks that webhook calls come from Trello.",
    )
    token = fields.Char(
        string="User token",
        compute="_compute_connector_secrets",
        inverse="_inverse_connector_secrets",
        groups=MANAGER_GROUP,
        help="Set by the Authorize button, or pasted from Trello's authorization page.",
    )
    member_id = fields.Char(string="Trello member ID", readonly=True, copy=False)
    member_username = fields.Char(string="Trello user", readonly=True, copy=False)
    member_name = fields.Char(string="Connected as", readonly=True, copy=False)
    attachment_max_size = fields.Integer(
        string="Attachment size limit (MB)",
        default=10,
        help="Uploaded files up to this size are copied into Odoo; bigger ones and links are kept as URLs.",
    )
    archived_list_policy = fields.Selection(
        [("fold", "Fold the stage"), ("archive", "Archive the stage")],
        string="Archived lists",
        default="fold",
        required=True,
        help="What happens to the stage of a list archived in Trello (stages created from the list only).",
    )
    board_ids = fields.One2many("trello.board", "backend_id", string="Boards")
    member_ids = fields.One2many("trello.member", "backend_id", string="Members")
    board_count = fields.Integer(compute="_compute_counts")
    unmapped_member_count = fields.Integer(compute="_compute_counts", string="Members to map")

    @api.depends("board_ids", "member_ids.user_id")
    def _compute_counts(self):
        for backend in self:
            backend.board_count = len(backend.board_ids)
            backend.unmapped_member_count = len(
                backend.member_ids.filtered(lambda member: not member.user_id)
            )

    @api.model_create_multi
    def create(self, vals_list):
        backends = super().create(vals_list)
        Mapping = self.env["connector.field.mapping"]
        for backend in backends:
            Mapping._ensure_defaults(backend, CARD, "project.task", CARD_MAPPING_DEFAULTS)
        return backends

    # ------------------------------------------------------------------ client
    def _trello_client(self):
        self.ensure_one()
        api_key, token = self._connector_secret("api_key"), self._connector_secret("token")
        if not api_key or not token:
            raise ConfigurationError(
                self.env._("%(backend)s: set the API key, then press Authorize.", backend=self.display_name)
            )
        return TrelloClient(api_key, token, api_url=self.api_url)

    @contextmanager
    def _trello_session(self):
        """A client for this backend, closed after use."""
        client = self._trello_client()
        try:
            yield client
        finally:
            client.close()

    # ------------------------------------------------------------------ refused credentials
    # The base's policy (connector.backend.mixin): the client raises AuthenticationError only
    # for a refused token or key, PermissionDeniedError for an object the token may not see.
    def _connector_reauthorize_hint(self):
        return self.env._("presses Authorize")

    def _connector_check_credentials(self):
        if not self._connector_credentials_ready():
            return False
        self._trello_identify()
        return True

    # ------------------------------------------------------------------ connection
    def action_authorize(self):
        """Send the person to Trello's authorization page (through our route, which remembers
        that this session asked for it)."""
        self.ensure_one()
        if not self._connector_secret("api_key"):
            raise UserError(self.env._("Set the API key first: Trello asks for it to authorize."))
        return {
            "type": "ir.actions.act_url",
            "url": f"/connector/trello/authorize/{self.id}",
            "target": "self",
        }

    def _trello_store_token(self, token):
        """Keep a token Trello just granted, once Trello accepts it, then resume what waited for it."""
        self.ensure_one()
        with TrelloClient(self._connector_secret("api_key") or "", token, api_url=self.api_url) as client:
            me = client.me()
        # Accepted first: the token is already checked, storing it need not check it again.
        self._connector_credentials_accepted()
        self.write({"token": token, **_member_values(me)})
        # Trello deletes a token's webhooks with it: make sure the new token has them.
        self.board_ids.filtered("active")._enqueue_webhook_registration()

    def _trello_identify(self):
        with self._trello_session() as client:
            me = client.me()
        self.write(_member_values(me))
        return me

    def action_test_connection(self):
        self.ensure_one()
        try:
            me = self._trello_identify()
        except AuthenticationError as error:
            raise UserError(self._trello_token_refused_text(error)) from None
        except ConnectorError as error:
            raise UserError(connector_error_text(self.env, error)) from None
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "Connected to Trello as %(name)s (@%(username)s).",
                    name=me.get("fullName"),
                    username=me.get("username"),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_sync_now(self):
        """Re-read every linked board now: a full, idempotent import (unchanged cards are skipped)."""
        self.board_ids.filtered("active")._enqueue_import()
        return True

    def action_sync_members(self):
        for backend in self:
            backend._connector_enqueue(
                "_job_sync_members",
                kind="import",
                name=self.env._("Read the Trello members of %(backend)s", backend=backend.display_name),
                object_type="member",
                identity_key="members",
            )
        return True

    def action_link_board(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("connector_trello.action_trello_board_link")
        action["context"] = {"default_backend_id": self.id}
        return action

    def action_view_boards(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("connector_trello.action_trello_board")
        action["domain"] = [("backend_id", "in", self.ids)]
        action["context"] = {"default_backend_id": self[:1].id}
        return action

    def action_view_mappings(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "connector_base.action_connector_field_mapping"
        )
        action["domain"] = [("backend_model", "=", self._name), ("backend_id", "in", self.ids)]
        return action

    @api.model
    def _connector_demo_setup(self, emulator_url, public_base_url=None):
        """Set up the demo of `make run`: a backend on the local Trello emulator, its boards
        linked (their webhooks and imports run as jobs). Returns the lines to print.

        ``public_base_url``: the address ``make run`` serves Odoo at. The backend keeps it, so
        the webhook it registers stays the same whatever host name a person logs in with (Odoo
        rewrites ``web.base.url`` after an administrator's login)."""
        emulator_url = emulator_url.rstrip("/")
        credentials = requests.get(f"{emulator_url}/demo/credentials", timeout=10).json()
        api_url = f"{emulator_url}/1"
        backend = self.search([("api_url", "=", api_url)], limit=1) or self.create(
            {"name": self.env._("Trello demo (local emulator)"), "api_url": api_url}
        )
        values = {"api_key": credentials["api_key"], "app_secret": credentials["app_secret"]}
        if public_base_url:
            values["public_base_url"] = public_base_url
        backend.write(values)
        backend._trello_store_token(credentials["token"])
        with backend._trello_session() as client:
            boards = client.my_boards()
        linked = set(backend.with_context(active_test=False).board_ids.mapped("board_id"))
        self.env["trello.board"].create(
            [
                {
                    "backend_id": backend.id,
                    "board_id": board["id"],
                    "name": board["name"],
                    "url": board.get("url"),
                }
                for board in boards
                if board["id"] not in linked
            ]
        )
        names = ", ".join(board["name"] for board in boards)
        return [
            f"Trello demo: backend {backend.display_name!r} (id {backend.id}) on the emulator at {api_url}",
            f"  boards linked: {names}; webhook URL {backend.webhook_url}",
            f"  change cards on {emulator_url}/ and watch the tasks follow in Odoo's Project app",
        ]

    # ------------------------------------------------------------------ health
    def _health_checks(self):
        checks = super()._health_checks()
        if not self._connector_credentials_ready():
            return checks
        try:
            with self._trello_session() as client:
                me = client.me()
                checks.append(
                    (self.env._("Trello authorization"), True, self.env._("Token of %s", me.get("fullName")))
                )
                checks.append(self.board_ids.filtered("active")._check_webhooks(client))
        except AuthenticationError as error:
            self._connector_credentials_refused(error)
            checks.append(
                (
                    self.env._("Trello authorization"),
                    False,
                    self._trello_token_refused_text(error),
                )
            )
        return checks

    def _trello_token_refused_text(self, error):
        answer = f"HTTP {error.status}: {error.platform_message}" if error.status else str(error)
        return self.env._("Trello refused the token (%(answer)s): press Authorize.", answer=answer)

    # ------------------------------------------------------------------ overview
    def _connector_needs_reauthorization(self):
        return self.needs_reauthorization

    def _connector_external_urls(self, bindings):
        """A card's address is kept on its task, a board's on its link."""
        cards = bindings.filtered(lambda binding: binding.external_type == CARD)
        tasks = self.env["project.task"].sudo().browse(cards.mapped("res_id")).exists()
        by_task = {task.id: task.trello_card_url for task in tasks}
        by_board = {link.board_id: link.url for link in self.board_ids}
        urls = {}
        for binding in bindings:
            bound = by_task if binding.external_type == CARD else by_board
            key = binding.res_id if binding.external_type == CARD else binding.external_id
            if bound.get(key):
                urls[binding.id] = bound[key]
        return urls

    def _connector_webhook_health(self):
        boards = self.board_ids.filtered("active")
        if not boards:
            return super()._connector_webhook_health()
        missing = boards.filtered(lambda link: not link.webhook_active)
        if missing:
            return "error", self.env._(
                "%(count)s of %(total)s boards without an active webhook",
                count=len(missing),
                total=len(boards),
            )
        return "ok", self.env._("Active on %(count)s board(s)", count=len(boards))

    def _connector_webhook_action(self):
        action = self.action_view_boards()
        action["name"] = self.env._("Boards and webhooks of %(backend)s", backend=self.display_name)
        return action

    # ------------------------------------------------------------------ webhooks
    def _webhook_verify_signature(self, raw_body, headers, url):
        """Trello signs with the callback URL the webhook was registered with: check against the
        URLs the boards' webhooks were registered at, not the one Odoo computes today (a changed
        web.base.url would otherwise refuse every delivery)."""
        registered = (
            self.env["trello.board"]
            .sudo()
            .search_fetch(
                [("backend_id", "=", self.id), ("active", "=", True), ("webhook_callback_url", "!=", False)],
                ["webhook_callback_url"],
            )
        )
        # Today's URL too: a board linked before the registered URL was kept has none stored.
        urls = {*registered.mapped("webhook_callback_url"), url}
        return any(
            super(TrelloBackend, self)._webhook_verify_signature(raw_body, headers, each) for each in urls
        )

    def _webhook_event_id(self, payload):
        return (payload.get("action") or {}).get("id")

    def _webhook_job_values(self, payload, event_id):
        return self._trello_action_job_values([payload.get("action") or {}])

    def _trello_action_job_values(self, actions):
        """One job per action the connector applies, deduplicated by action id."""
        self.ensure_one()
        vals_list = []
        for action in actions:
            kind, _target = mapper.action_target(action)
            if kind is None:
                continue
            vals_list.append(
                self._connector_job_values(
                    "_job_apply_action",
                    {"action": _compact_action(action)},
                    kind="webhook",
                    **_action_subject(self.env, action),
                    object_type=kind,
                    identity_key=f"action:{action['id']}",
                )
            )
        return vals_list

    # ------------------------------------------------------------------ jobs
    def _card_bindings(self, *, card_ids=None, task_ids=None):
        """The card bindings of this backend for some cards or some tasks."""
        domain = [
            ("backend_model", "=", self._name),
            ("backend_id", "=", self.id),
            ("external_type", "=", CARD),
        ]
        if card_ids is not None:
            domain.append(("external_id", "in", list(card_ids)))
        if task_ids is not None:
            domain += [("res_model", "=", "project.task"), ("res_id", "in", list(task_ids))]
        return self.env["connector.external.binding"].sudo().search(domain)

    def _link_of(self, board_id):
        return self.board_ids.filtered(lambda link: link.board_id == board_id and link.active)

    def _job_apply_action(self, job):
        """Apply one Trello action by re-reading what it touched: the card, or the board's structure."""
        action = job.payload["action"]
        kind, target = mapper.action_target(action)
        link = self._link_of(((action.get("data") or {}).get("board") or {}).get("id"))
        if not link:
            return {"skipped": 1, "summary": self.env._("The board is not linked.")}
        if kind == "board":
            return link._sync_structure_from_trello()
        return link._sync_card_after_action(target, mapper.parse_instant(action.get("date")))

    def _job_import_board(self, job):
        link = self.env["trello.board"].browse(job.payload["board_link_id"]).exists()
        if not link or not link.active:
            return {"skipped": 1, "summary": self.env._("The board is no longer linked.")}
        return link._import()

    def _job_register_webhook(self, job):
        link = self.env["trello.board"].browse(job.payload["board_link_id"]).exists()
        if not link or not link.active:
            return {"skipped": 1}
        with self._trello_session() as client:
            created = link._register_webhook(client)
        return {"created" if created else "skipped": 1}

    def _job_unregister_webhook(self, job):
        with self._trello_session() as client:
            try:
                client.delete_webhook(job.payload["webhook_id"])
            except NotFoundError:
                return {"skipped": 1, "summary": self.env._("Trello had already deleted the webhook.")}
        return {"updated": 1, "summary": self.env._("Webhook deleted.")}

    def _job_sync_members(self, job):
        with self._trello_session() as client:
            members = {}
            for link in self.board_ids.filtered("active"):
                members.update({member["id"]: member for member in client.board_members(link.board_id)})
        return self.env["trello.member"]._sync_members(self, list(members.values()))

    def _job_create_card(self, job):
        task = self.env["project.task"].browse(job.payload["task_id"]).exists()
        link = self.env["trello.board"].browse(job.payload["board_link_id"]).exists()
        if not task or not link:
            return {"skipped": 1, "summary": self.env._("The task or the board link no longer exists.")}
        return link._create_card(task)

    # ------------------------------------------------------------------ reconciliation
    def _reconcile_types(self):
        return [CARD] if self.board_ids.filtered("active") else []

    def _reconcile_snapshot(self, external_type):
        """Every card of the linked boards, a page of 1,000 per call within the client's quotas."""
        if external_type != CARD:
            yield from super()._reconcile_snapshot(external_type)
            return
        with self._trello_session() as client:
            for link in self.board_ids.filtered("active"):
                yield from link._reconcile_cards(client)

    def _job_import_record(self, job):
        """Re-import one card a reconciliation listed (its board read first when it is new)."""
        if job.payload.get("external_type") != CARD:
            raise ConfigurationError(self.env._("Trello re-imports cards only."))
        with self._trello_session() as client:
            try:
                card = client.card(job.payload["external_id"])
            except (NotFoundError, PermissionDeniedError):
                return self.board_ids[:1]._archive_missing_cards([job.payload["external_id"]])
            link = self._link_of(card.get("idBoard"))
            if not link:
                return {"skipped": 1, "summary": self.env._("The card is not on a linked board.")}
            return link._sync_cards([card], client=client)

    def _job_import_card(self, job):
        """Import a card set aside because it could not be mapped (Retry, once fixed)."""
        link = self._link_of(job.payload.get("idBoard"))
        if not link:
            return {"skipped": 1, "summary": self.env._("The board is not linked.")}
        with self._trello_session() as client:
            return link._sync_cards([client.card(job.payload["id"])], client=client)

    # ------------------------------------------------------------------ export
    def _connector_export_values(self, binding, record, mapper_):
        """The mapped values plus the card's list, labels and members, without the fields an
        open conflict holds back: once a person settles it, the values differ and export."""
        values = super()._connector_export_values(binding, record, mapper_)
        if binding.external_type != CARD or not record.trello_board_id:
            return values
        values.update(record.trello_board_id._card_structure_values(record))
        held = self._held_fields(binding)
        sources = {rule.external_field: rule.odoo_field for rule in mapper_.rules if rule.exports}
        sources.update(STRUCTURE_EXPORTS)
        return {key: value for key, value in values.items() if sources.get(key) not in held}

    def _connector_export_done(self, binding, record, export_hash, external_updated_at):
        """Remember the export as it happened: a field a conflict held back was not sent, so it
        counts neither in the export hash nor as synced (both sides still differ from the past)."""
        if binding.external_type != CARD:
            return super()._connector_export_done(binding, record, export_hash, external_updated_at)
        held = self._held_fields(binding)
        kept = {name: value for name, value in (binding.synced_values or {}).items() if name in held}
        card_mapper = self.env["connector.field.mapping"]._get_mapper(self, CARD, binding.res_model)
        export_hash = content_hash(self._connector_export_values(binding, record, card_mapper))
        result = super()._connector_export_done(binding, record, export_hash, external_updated_at)
        if kept:
            binding.synced_values = {**binding.synced_values, **kept}
        return result

    def _held_fields(self, binding):
        """Fields of a binding an open conflict holds: neither side overwrites them."""
        conflicts = (
            self.env["connector.sync.conflict"]
            .sudo()
            .search([("binding_id", "=", binding.id), ("state", "=", "open")])
        )
        return set(conflicts.mapped("field_name"))

    def _export_record(self, binding, record, external_values):
        if binding.external_type != CARD:
            return super()._export_record(binding, record, external_values)
        link = record.trello_board_id
        if not link or not link.active:
            return None  # the board was unlinked: its tasks no longer sync
        return link._export_card(binding, record)


def _action_subject(env, action):
    """A Trello action's job, in words: "Apply updateCard to card Write the brief of board IT"."""
    data = action.get("data") or {}
    card, board = data.get("card") or {}, data.get("board") or {}
    if card:
        thing = env._("card %(card)s", card=card.get("name") or card.get("id"))
        url = card.get("shortLink") and f"https://trello.com/c/{card['shortLink']}"
    else:
        thing = env._("board %(board)s", board=board.get("name") or board.get("id"))
        url = board.get("shortLink") and f"https://trello.com/b/{board['shortLink']}"
    where = env._(" of board %(board)s", board=board["name"]) if card and board.get("name") else ""
    return {
        "name": env._("Apply %(type)s to %(thing)s%(where)s", type=action["type"], thing=thing, where=where),
        "object_name": thing,
        "object_url": url or None,
        "external_id": card.get("id"),
    }


def _member_values(member):
    return {
        "member_id": member["id"],
        "member_username": member.get("username"),
        "member_name": member.get("fullName") or member.get("username"),
    }


def _compact_action(action):
    """What a job needs of an action (the webhook's ``model`` and display data are dropped)."""
    return {
        key: action[key]
        for key in ("id", "type", "date", "idMemberCreator", "data", "memberCreator")
        if key in action
    }
