from odoo import api, fields, models


class CrmLead(models.Model):
    """A lead made from a Sprout Social conversation, and the button to its messages."""

    _inherit = "crm.lead"

    sprout_conversation_key = fields.Char(
        string="Sprout conversation",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The author and conversation this lead was made for: one lead each.",
    )
    sprout_message_count = fields.Integer(
        string="Social messages",
        compute="_compute_sprout_message_count",
        groups="connector_base.group_connector_user",
    )

    _sql_constraints = [
        (
            "sprout_conversation_key_unique",
            "UNIQUE (sprout_conversation_key)",
            "A Sprout Social conversation makes one lead.",
        ),
    ]

    @api.depends_context("uid")
    def _compute_sprout_message_count(self):
        counts = self.env["sprout.message"]._sprout_counts("lead_id", [("lead_id", "in", self.ids)])
        for lead in self:
            lead.sprout_message_count = counts.get(lead, 0)

    def action_view_sprout_messages(self):
        return self.env["sprout.message"]._sprout_messages_action(
            [("lead_id", "in", self.ids)], self.env._("Social messages of %(lead)s", lead=self[:1].name)
        )
