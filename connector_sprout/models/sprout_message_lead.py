from odoo import fields, models


class SproutMessageLead(models.Model):
    """The lead a message made or joined, and the message lists that customers' and
    leads' smart buttons open, newest first."""

    _inherit = "sprout.message"  # pylint: disable=consider-merging-classes-inherited

    lead_id = fields.Many2one("crm.lead", index="btree_not_null", ondelete="set null", readonly=True)

    def _sprout_counts(self, field_name, domain):
        """{record: number of messages} of the records ``field_name`` points at, among the
        messages of ``domain``."""
        return dict(self._read_group([*domain, (field_name, "!=", False)], [field_name], ["__count"]))

    def _sprout_messages_action(self, domain, name):
        action = self.env["ir.actions.act_window"]._for_xml_id("connector_sprout.action_sprout_message")
        action.update(
            {
                "name": name,
                "domain": domain,
                "context": {"create": False},
            }
        )
        return action
