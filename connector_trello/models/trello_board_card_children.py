from odoo import models

from odoo.addons.connector_base.lib.errors import PermissionDeniedError
from odoo.addons.connector_base.lib.sync import FROM_CONNECTOR, QUIET_CREATE_CONTEXT

from ..lib import mapper
from ..lib.cards import ATTACHMENT, CARD, CHECK_ITEM, COMMENT


class TrelloBoardCardChildren(models.Model):
    """What hangs under a card: check items as sub-tasks, comments as chatter notes,
    attachments as files or links. Each kind follows Trello, removals included."""

    _inherit = "trello.board"  # pylint: disable=consider-merging-classes-inherited

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
        bindings = self.env["connector.external.binding"]._of_records(
            children, self.backend_id, external_type
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
