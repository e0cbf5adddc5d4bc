from odoo import fields, models

from odoo.addons.connector_base.lib.sync import content_hash

from ..lib.cards import CARD, STRUCTURE_EXPORTS


class TrelloBackendExport(models.Model):
    """The base's export hooks for cards: the card's structure joins the mapped values,
    fields an open conflict holds are left out, and the board link does the writing."""

    _inherit = "trello.backend"  # pylint: disable=consider-merging-classes-inherited
    _connector_export_holds_conflicts = True

    # The card of a task deleted in Odoo stays or is archived (closed) in Trello.
    deleted_record_policy = fields.Selection(
        selection_add=[("leave", "Leave the card"), ("archive", "Archive the card")],
        ondelete={"archive": "set default"},
        string="When a bound task is deleted",
    )

    def _connector_remove_external(self, external_type, external_ids, policy):
        if external_type != CARD:
            return {"skipped": len(external_ids)}
        with self._trello_session() as client:
            for card_id in external_ids:
                client.update_card(card_id, {"closed": "true"})
        return {
            "updated": len(external_ids),
            "summary": self.env._("%(count)s card(s) archived.", count=len(external_ids)),
        }

    def _connector_export_values(self, binding, record, mapper_):
        """The mapped values plus the card's list, labels and members, without the fields an
        open conflict holds back: once a person settles it, the values differ and export."""
        values = super()._connector_export_values(binding, record, mapper_)
        if binding.external_type != CARD or not record.trello_board_id:
            return values
        values.update(record.trello_board_id._card_structure_values(record))
        held = binding._held_fields()
        sources = {rule.external_field: rule.odoo_field for rule in mapper_.rules if rule.exports}
        sources.update(STRUCTURE_EXPORTS)
        return {key: value for key, value in values.items() if sources.get(key) not in held}

    def _connector_export_done(self, binding, record, export_hash, external_updated_at):
        """Remember the export as it happened: a field a conflict held back was not sent, so it
        does not count in the export hash."""
        if binding.external_type != CARD:
            return super()._connector_export_done(binding, record, export_hash, external_updated_at)
        card_mapper = self.env["connector.field.mapping"]._get_mapper(self, CARD, binding.res_model)
        export_hash = content_hash(self._connector_export_values(binding, record, card_mapper))
        return super()._connector_export_done(binding, record, export_hash, external_updated_at)

    def _export_record(self, binding, record, external_values):
        if binding.external_type != CARD:
            return super()._export_record(binding, record, external_values)
        link = record.trello_board_id
        if not link or not link.active:
            return None  # the board was unlinked: its tasks no longer sync
        return link._export_card(binding, record)
