from collections import defaultdict

from odoo import models

from odoo.addons.connector_base.lib.dates import parse_timestamp
from odoo.addons.connector_base.lib.errors import NotFoundError, PermissionDeniedError
from odoo.addons.connector_base.lib.reread import reread
from odoo.addons.connector_base.lib.sync import (
    FROM_CONNECTOR,
    QUIET_CREATE_CONTEXT,
    content_hash,
    summed_results,
)

from ..lib import mapper
from ..lib.cards import CARD, COMMENT_ACTION_TYPES, INT_MAX, STRUCTURE_AUTHORITIES
from ..lib.client import CARD_FIELD_DETAILS, MAX_PAGE


class TrelloBoardCard(models.Model):
    """The cards of a board read into tasks: a batch of cards mapped, upserted and handed
    on to their children; cards gone from Trello archived."""

    _inherit = "trello.board"  # pylint: disable=consider-merging-classes-inherited

    def _apply_card_actions(self, actions):
        """Bring the tasks of the cards ``actions`` touched up to date, each card read once
        however many actions it had.

        A card already read after its last action is skipped without a call: redeliveries,
        late deliveries and our own changes coming back cost nothing. A card with comment
        actions is read by itself, with its comments; the others by themselves or, when that
        takes fewer calls, from the board's card listing (see ``lib.reread``).
        """
        backend = self.backend_id
        latest, with_comments = {}, set()
        for action in actions:
            _kind, card_id = mapper.action_target(action)
            dates = (latest.get(card_id), parse_timestamp(action.get("date")))
            latest[card_id] = max(filter(None, dates), default=None)
            if action.get("type") in COMMENT_ACTION_TYPES:
                with_comments.add(card_id)
        bindings = self.env["connector.external.binding"]._of_external_ids(backend, CARD, list(latest))
        read_at = {binding.external_id: binding.external_updated_at for binding in bindings}
        stale = [
            card_id
            for card_id, date in latest.items()
            if not (date and read_at.get(card_id) and read_at[card_id] >= date)
        ]
        if not stale:
            return {"skipped": len(latest), "summary": self.env._("Already read after these actions.")}
        with backend._trello_session() as client:

            def read_each(card_id):
                try:
                    return client.card(card_id)
                except (NotFoundError, PermissionDeniedError):
                    # Deleted, or moved where the token may not see it: it leaves Odoo's view.
                    return None

            cards = {card_id: read_each(card_id) for card_id in stale if card_id in with_comments}
            listed = [card_id for card_id in stale if card_id not in with_comments]
            cards.update(
                reread(
                    listed,
                    read_each,
                    lambda: client.iter_card_pages(self.board_id),
                    # One card is read by itself whatever the listing costs: no need to count.
                    self._card_listing_calls() if len(listed) > 1 else 1,
                )
            )
            gone = [card_id for card_id, card in cards.items() if card is None]
            by_link = defaultdict(list)
            for card in filter(None, cards.values()):
                link = backend._link_of(card.get("idBoard"))
                if link:
                    by_link[link].append(card)
                else:  # moved to a board that is not linked
                    gone.append(card["id"])
            results = [link._sync_cards(link_cards, client=client) for link, link_cards in by_link.items()]
            if gone:
                results.append(self._archive_missing_cards(gone))
            calls = client.api_calls
        totals = summed_results(results)
        totals["skipped"] += len(latest) - len(stale)
        totals["summary"] = self.env._(
            "%(actions)s action(s) on %(cards)s card(s): %(read)s read in %(calls)s call(s).",
            actions=len(actions),
            cards=len(latest),
            read=len(stale),
            calls=calls,
        )
        return totals

    def _card_listing_calls(self):
        """Calls a read of the board's card listing takes: one per page of its cards."""
        count = (
            self.env["project.task"]
            .with_context(active_test=False)
            .search_count([("trello_board_id", "=", self.id), ("parent_id", "=", False)])
        )
        return max(1, -(-count // MAX_PAGE))

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
            backend._connector_quarantine(
                "_job_import_card",
                [({"id": record["id"], "idBoard": self.board_id}, error) for record, error in batch.failed],
                object_type=CARD,
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
        if backend._connector_has_quarantine(CARD):
            backend._connector_quarantine_resolve(CARD, list(task_ids))
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
                "external_updated_at": parse_timestamp(by_id[record["id"]].get("dateLastActivity")),
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
