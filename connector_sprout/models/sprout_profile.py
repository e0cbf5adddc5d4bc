from odoo import fields, models

NETWORKS_HELP = "As Sprout names it: instagram, facebook, twitter, linkedin_company, google_my_business..."


class SproutProfile(models.Model):
    """A social profile connected in Sprout; its inbox comes into Odoo once a person
    chooses it (``sprout.profile.link``), which ticks "Sync messages", the flag the polls read."""

    _name = "sprout.profile"
    _inherit = ["connector.external.id.mixin"]
    _description = "Sprout Social Profile"
    _order = "name"

    backend_id = fields.Many2one("sprout.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True)
    profile_id = fields.Char(string="Sprout profile ID", required=True, readonly=True)
    name = fields.Char(required=True)
    network = fields.Char(help=NETWORKS_HELP)
    handle = fields.Char(help="The name on the network: a handle, a page address...")
    native_id = fields.Char(string="Network ID", help="The profile's id on the network itself.")
    group_ids = fields.Many2many(
        "sprout.group", "sprout_profile_group_rel", "profile_id", "group_id", string="Groups"
    )
    sync_messages = fields.Boolean(
        string="Sync messages",
        readonly=True,
        help="Bring this profile's inbox messages into Odoo: set by Choose profiles on the backend.",
    )
    active = fields.Boolean(default=True, help="Unticked when the profile is no longer in Sprout.")
    message_count = fields.Integer(compute="_compute_message_count", string="Messages")

    _sql_constraints = [
        (
            "profile_unique",
            "UNIQUE (backend_id, profile_id)",
            "A Sprout profile is imported once per backend.",
        ),
    ]

    def _compute_message_count(self):
        counts = dict(
            self.env["sprout.message"]._read_group(
                [("profile_id", "in", self.ids)], ["profile_id"], ["__count"]
            )
        )
        for profile in self:
            profile.message_count = counts.get(profile, 0)

    def action_view_messages(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("connector_sprout.action_sprout_message")
        action["domain"] = [("profile_id", "in", self.ids)]
        return action

    def action_stop_sync(self):
        """No more polls of this profile's inbox; its messages stay."""
        self.sync_messages = False
        return True
