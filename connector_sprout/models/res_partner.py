from odoo import api, fields, models


class ResPartner(models.Model):
    """The button to a customer's Sprout Social messages, its contacts' included."""

    _inherit = "res.partner"

    sprout_message_count = fields.Integer(
        string="Social messages",
        compute="_compute_sprout_message_count",
        groups="connector_base.group_connector_user",
    )

    @api.depends_context("uid")
    def _compute_sprout_message_count(self):
        saved = self.filtered("id")
        counts = self.env["sprout.message"]._sprout_counts(
            "partner_id", [("partner_id", "child_of", saved.ids)]
        )
        totals = dict.fromkeys(saved.ids, 0)
        for author, count in counts.items():
            # A company counts its contacts' messages: each author counts for itself and those above it.
            node = author.sudo()
            while node:
                if node.id in totals:
                    totals[node.id] += count
                node = node.parent_id
        for partner in self:
            partner.sprout_message_count = totals.get(partner.id, 0)

    def action_view_sprout_messages(self):
        return self.env["sprout.message"]._sprout_messages_action(
            [("partner_id", "child_of", self.ids)],
            self.env._("Social messages of %(partner)s", partner=self[:1].display_name),
        )
