from datetime import timezone

from odoo import models

from odoo.addons.connector_base.lib.dates import parse_timestamp
from odoo.addons.connector_base.lib.sync import FROM_CONNECTOR, content_hash, project_tasks

from ..lib import mapper
from ..lib.cards import CARD, CREATE_CLOCK_SKEW, STRUCTURE_EXPORTS, same_card_value


class TrelloBoardCardExport(models.Model):
    """Tasks changed or made in Odoo sent to their cards: what differs is written, new
    tasks become cards exactly once."""

    _name = "trello.board"
    _inherit = ["trello.board", "connector.container.mixin"]
    # A board holds the tasks of its project. A card's list, labels and members follow the
    # board's structure, not a mapping: a task's stage, tags and assignees re-export it.
    _connector_holds = project_tasks("stage_id", "tag_ids", "user_ids")

    def _connector_record_type(self):
        return CARD

    def _connector_container_subject(self):
        return self.env._("board %(board)s", board=self.name), self.url

    def _connector_exports_new(self, records):
        """Top-level tasks become cards of the first board creating cards for their project."""
        first = self.search(
            [("project_id", "=", self.project_id.id), ("create_cards", "=", True), ("active", "=", True)],
            limit=1,
        )
        return records.filtered(lambda task: not task.parent_id) if first == self else records.browse()

    def _connector_new_records_jobs(self, records):
        # One job per card: a task Trello refuses leaves the others alone.
        return [
            self._connector_container_job(
                "_job_create_card",
                {"task_id": task.id, "board_link_id": self.id},
                kind="export",
                name=self.env._(
                    "Create the card of task %(task)s on board %(board)s",
                    task=task.display_name,
                    board=self.name,
                ),
                object_type=CARD,
                identity_key=f"create_card:{task.id}",
            )
            for task in records
        ]

    def _card_structure_values(self, task):
        """The Trello side of a task's stage, tags and assignees, for the export hash."""
        mapped_list = self._list_for_stage(task.stage_id)
        members = self.env["trello.member"]._members_by_user(self.backend_id, task.user_ids)
        return {
            "idList": mapped_list.list_id if mapped_list else f"stage:{task.stage_id.id}",
            "idLabels": sorted(task.tag_ids.mapped("name")),  # names: labels may not exist yet
            "idMembers": sorted(members.values()),
        }

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
        return parse_timestamp(card.get("dateLastActivity"))

    def _card_differences(self, binding, task, card, client):
        """(PUT form fields, [(custom field definition, value)]) where the task differs from the card."""
        card_mapper = self.env["connector.field.mapping"]._get_mapper(self.backend_id, CARD, "project.task")
        held = binding._held_fields()
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
            elif not same_card_value(key, value, current.get(key)):
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

    def _remember_card(self, binding, card):
        """Record the card as Trello now holds it as the last sync, so the webhook telling us
        about our own change finds nothing new. Fields an open conflict holds keep their past."""
        card_mapper = self.env["connector.field.mapping"]._get_mapper(self.backend_id, CARD, "project.task")
        values, _warnings = card_mapper.to_odoo(mapper.card_record(card, self.custom_fields))
        values.update(self._card_structure([card])(card))
        held = binding._held_fields()
        synced = {
            **(binding.synced_values or {}),
            **{name: value for name, value in values.items() if name not in held},
        }
        self.env["connector.external.binding"]._update_hashes(
            [(binding.id, content_hash(values), parse_timestamp(card.get("dateLastActivity")), synced)]
        )

    def _create_card(self, task):
        """Create the card of a task made in Odoo, in the list of its stage, and bind them."""
        backend = self.backend_id
        if task._connector_bindings(backend, CARD):
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
        self._remember_card(task._connector_bindings(backend, CARD), card)
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
