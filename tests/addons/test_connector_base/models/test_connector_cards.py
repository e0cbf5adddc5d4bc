"""A minimal connector's import, quarantine and polling, against a stand-in platform.

The "platform" is a JSON field of the backend: cards (``{id, title, parent}``),
imported as the ``test.connector.card`` records its boards hold (see
``test_connector_board.py`` for their lifecycle), and, on the webhook backend, a
change log the poll reads. What a real connector reads with its client, these
read from there; the rest is the base's, as a connector uses it.
"""

from odoo import fields, models

from odoo.addons.connector_base.lib.errors import AuthenticationError
from odoo.addons.connector_base.lib.mapping import FieldRule, MappingError
from odoo.addons.connector_base.lib.polling import Polled, PolledEvent

CARD = "card"
CARD_MODEL = "test.connector.card"


class TestConnectorBackend(models.Model):
    _inherit = "test.connector.backend"

    platform_cards = fields.Json(help="{card id: {id, title, parent}}: the cards the platform holds.")

    def _connector_platform_health(self):
        return self._connector_platform_checks(self.env._("Platform"), self._platform_identity)

    def _platform_identity(self):
        """The "who am I" call a health check makes: refused for the refused token."""
        if not self._connector_check_credentials():
            raise AuthenticationError("invalid token", status=401)
        return [(self.env._("Platform"), True, self.env._("The token is accepted."))]

    def _job_import_cards(self, job):
        """Import every card of the platform."""
        return self._import_cards(list(self.platform_cards or {}))

    def _job_import_card(self, job):
        """Retry one quarantined card: read it again and import it; if it fails again, the job fails."""
        return self._import_cards([job.payload["id"]], retried=job.payload["id"])

    def _import_cards(self, card_ids, retried=None):
        """Cards parent first; a card that cannot be mapped, or whose parent is not in Odoo,
        is quarantined (waiting for its parent), the others import."""
        cards = [
            self.platform_cards[card_id] for card_id in card_ids if card_id in (self.platform_cards or {})
        ]
        mapper = self.env["connector.field.mapping"]._get_mapper(self, CARD, CARD_MODEL)
        batch = mapper.to_odoo_batch(cards)
        failures = list(batch.failed)
        Binding = self.env["connector.external.binding"]
        pending = list(batch.good)
        imported = []
        while pending:
            parents = {card["parent"] for card, _values in pending if card.get("parent")}
            known = {external_id: row[1] for external_id, row in Binding._lookup(self, CARD, parents).items()}
            ready = [
                (card, values)
                for card, values in pending
                if not card.get("parent") or card["parent"] in known
            ]
            if not ready:
                break
            items = [
                {
                    "external_id": card["id"],
                    "values": {**values, "parent_id": known.get(card.get("parent"), False)},
                }
                for card, values in ready
            ]
            Binding._upsert(self, CARD, CARD_MODEL, items)
            done = {card["id"] for card, _values in ready}
            imported += sorted(done)
            pending = [(card, values) for card, values in pending if card["id"] not in done]
        parent_rule = FieldRule(
            odoo_field="parent_id", converter="text", external_field="parent", label="Parent"
        )
        failures += [
            (
                card,
                MappingError(
                    f"card {card['id']}", parent_rule, card["parent"], "the parent card is not in Odoo"
                ),
            )
            for card, _values in pending
        ]
        if self._connector_has_quarantine(CARD):
            self._connector_quarantine_resolve(CARD, imported)
        again = [error for card, error in failures if card["id"] == retried]
        if again:
            raise again[0]
        self._connector_quarantine("_job_import_card", failures, object_type=CARD, parent_id="parent")
        return {"created": len(imported)}


class TestConnectorOAuthBackend(models.Model):
    _inherit = "test.connector.oauth.backend"

    platform_actions = fields.Json(help="[{id, card, title}]: the platform's change log, oldest first.")
    applied_changes = fields.Json(default=list, help="The action ids the webhook jobs applied, in order.")
    poll_applies = fields.Boolean(help="Polls apply what they read themselves (_connector_poll_apply).")
    poll_reads = fields.Json(default=list, help="What the poll handed each change it applied (its read).")

    def _job_call_platform(self, job):
        """A call with the access token: refused while the backend holds none."""
        if not self._connector_secret("oauth_access_token"):
            raise AuthenticationError("the platform refused the access token", status=401)
        return {"updated": 1}

    def _connector_poll_containers(self):
        return {"board": "Test board"} if self.platform_actions is not None else {}

    def _connector_poll(self, container, cursor):
        """One call: the actions after ``cursor`` (ids grow with time, as Trello's)."""
        actions = [action for action in self.platform_actions or () if not cursor or action["id"] > cursor]
        if not actions:
            return Polled(cursor=None)
        # What the poll read besides the change: the cursor it read from.
        events = tuple(
            PolledEvent(action["id"], {"id": action["id"], "change": action}, read={"after": cursor})
            for action in actions
        )
        return Polled(cursor=max(action["id"] for action in actions), events=events)

    def _connector_poll_apply(self, payload, read=None):
        if not self.poll_applies:
            return super()._connector_poll_apply(payload, read)
        self.poll_reads = [*(self.poll_reads or []), read]
        return self._test_apply_change(payload["change"])

    def _job_webhook_event(self, job):
        if "change" not in (job.payload or {}):
            return super()._job_webhook_event(job)
        return self._test_apply_change(job.payload["change"])

    def _test_apply_change(self, change):
        """A change marked ``bad`` cannot be applied (data no mapping takes)."""
        if change.get("bad"):
            raise ValueError(f"change {change['id']} holds a value nothing maps")
        self.applied_changes = [*(self.applied_changes or []), change["id"]]
        return {"updated": 1}
