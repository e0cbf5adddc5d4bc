from odoo import models

from odoo.addons.connector_base.lib.signature import SignatureScheme

from ..lib import mapper
from ..lib.cards import compact_action


class TrelloBackendWebhook(models.Model):
    """Trello's webhook deliveries: their signature, their id, and the one job per action
    the connector applies."""

    _inherit = "trello.backend"  # pylint: disable=consider-merging-classes-inherited

    _webhook_route = "/connector/trello/webhook/{backend_id}"
    _webhook_signature = SignatureScheme(
        "X-Trello-Webhook", algorithm="sha1", encoding="base64", include_url=True
    )
    _webhook_secret_field = "app_secret"
    _webhook_job_method = "_job_apply_action"

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
            super(TrelloBackendWebhook, self)._webhook_verify_signature(raw_body, headers, each)
            for each in urls
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
                    {"action": compact_action(action)},
                    kind="webhook",
                    **_action_subject(self.env, action),
                    object_type=kind,
                    identity_key=f"action:{action['id']}",
                )
            )
        return vals_list


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
