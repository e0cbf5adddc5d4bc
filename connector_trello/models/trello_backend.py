from contextlib import closing

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.connector_base.fields import Secret
from odoo.addons.connector_base.lib.errors import (
    AuthenticationError,
    ConfigurationError,
    NotFoundError,
    PermissionDeniedError,
)
from odoo.addons.connector_base.lib.notification import notification
from odoo.addons.connector_base.lib.sync import summed_results

from ..lib import mapper
from ..lib.cards import CARD, CARD_MAPPING_DEFAULTS
from ..lib.client import API_URL, TrelloClient

MANAGER_GROUP = "connector_base.group_connector_manager"


class TrelloBackend(models.Model):
    """A Trello account (API key, app secret, user token) and the boards it links.

    This file holds the account, its client and its jobs. Extensions in files of their own:
    ``trello_backend_webhook`` (webhook intake), ``trello_backend_overview`` (health checks
    and overview), ``trello_backend_export`` (the base's export hooks for cards) and
    ``trello_backend_demo`` (the demo of ``make run``)."""

    _name = "trello.backend"
    _inherit = ["connector.backend.mixin"]
    _description = "Trello Backend"

    api_url = fields.Char(
        string="API URL",
        required=True,
        default=API_URL,
        help="Trello's API; a local emulator's address for a demo.",
    )
    api_key = Secret(
        string="API key",
        help="From the API key tab of your Trello Power-Up admin page.",
    )
    app_secret = Secret(
        help="Shown next to the API key; checks that webhook calls come from Trello.",
    )
    token = Secret(
        string="User token",
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

    def _trello_session(self):
        """A client on this backend's credentials, closed after use, for the code that calls
        Trello (jobs, mostly). Its errors are the client's ``ConnectorError``s, left for the
        caller: a job records them, a button turns them into words itself."""
        return closing(self._trello_client())

    # ------------------------------------------------------------------ refused credentials
    # The base's policy (connector.backend.mixin): the client raises AuthenticationError only
    # for a refused token or key, PermissionDeniedError for an object the token may not see.
    def _connector_reauthorize_hint(self):
        return self.env._("presses Authorize")

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

    def _connector_identify(self):
        with self._trello_session() as client:
            me = client.me()
        self.write(_member_values(me))
        return me

    def action_test_connection(self):
        self.ensure_one()
        with self._connector_button_call():
            me = self._connector_identify()
        return notification(
            self.env._(
                "Connected to Trello as %(name)s (@%(username)s).",
                name=me.get("fullName"),
                username=me.get("username"),
            ),
            close=True,
        )

    def _connector_error_text(self, error):
        if not isinstance(error, AuthenticationError):
            return super()._connector_error_text(error)
        answer = f"HTTP {error.status}: {error.platform_message}" if error.status else str(error)
        return self.env._("Trello refused the token (%(answer)s): press Authorize.", answer=answer)

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
        return self._connector_action_link_wizard("connector_trello.action_trello_board_link")

    def action_view_boards(self):
        return self._connector_action_view_containers("connector_trello.action_trello_board")

    # ------------------------------------------------------------------ jobs
    def _link_of(self, board_id):
        return self.board_ids.filtered(lambda link: link.board_id == board_id and link.active)

    def _job_apply_action(self, job):
        """Apply Trello actions by re-reading what they touched: this job's action and those of
        the other pending action jobs of this backend, which it takes along (connector_base's
        coalescing). Per board, in the actions' order: its structure read once if an action
        changed it, then each card touched read once."""
        jobs = job | job._coalesce_pending()
        actions = sorted(
            (each.payload["action"] for each in jobs),
            key=lambda action: (action.get("date") or "", action["id"]),
        )
        by_board = {}
        for action in actions:
            board_id = ((action.get("data") or {}).get("board") or {}).get("id")
            by_board.setdefault(board_id, []).append(action)
        results = []
        for board_id, board_actions in by_board.items():
            link = self._link_of(board_id)
            if not link:
                results.append(
                    {"skipped": len(board_actions), "summary": self.env._("The board is not linked.")}
                )
                continue
            kinds = [mapper.action_target(action)[0] for action in board_actions]
            if "board" in kinds:
                results.append(link._sync_structure_from_trello())
            card_actions = [
                action for action, kind in zip(board_actions, kinds, strict=True) if kind == "card"
            ]
            if card_actions:
                results.append(link._apply_card_actions(card_actions))
        if len(results) == 1:
            return results[0]
        return summed_results(results)

    def _job_import_board(self, job):
        link = self._connector_job_container(job, "trello.board", "board_link_id")
        if not link:
            return {"skipped": 1, "summary": self.env._("The board is no longer linked.")}
        return link._import()

    def _job_register_webhook(self, job):
        link = self._connector_job_container(job, "trello.board", "board_link_id")
        if not link:
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


def _member_values(member):
    return {
        "member_id": member["id"],
        "member_username": member.get("username"),
        "member_name": member.get("fullName") or member.get("username"),
    }
