from odoo import api, fields, models
from odoo.exceptions import UserError


class SproutProfileLink(models.TransientModel):
    """Choose the profiles whose inbox comes into Odoo, among those Sprout has now.

    Opening it reads the customer's groups and profiles again (a profile connected in
    Sprout a minute ago is offered); linking a profile ticks its "Sync messages", which
    the polls read, and polls its inbox at once."""

    _name = "sprout.profile.link"
    _inherit = "connector.link.wizard"
    _description = "Choose Sprout Social Profiles to Sync"
    _link_target = ("sprout.profile", "profile_id")

    backend_id = fields.Many2one("sprout.backend", required=True, ondelete="cascade")
    line_ids = fields.One2many("sprout.profile.link.line", "wizard_id", string="Profiles")

    @api.model
    def _link_offers(self, backend):
        """Every profile Sprout has now, read again; those already synced marked linked."""
        with backend._connector_button_call(), backend._sprout_session() as client:
            groups, profiles = client.groups(), client.profiles()
        backend._sprout_sync_groups(groups)
        backend._sprout_sync_profiles(profiles)
        return [
            {
                "external_id": profile.profile_id,
                "name": profile.name,
                "network": profile.network,
                "handle": profile.handle,
                "groups": ", ".join(profile.group_ids.mapped("name")),
                "linked": profile.sync_messages,
            }
            for profile in backend.profile_ids.filtered("active")
        ]

    def action_link(self):
        """Sync the chosen profiles' inbox from now on, starting with a poll at once."""
        profiles = self._link_chosen()
        self.backend_id._connector_enqueue_polls()
        return (
            self.backend_id.action_view_profiles()
            if len(profiles) > 1
            else {
                "type": "ir.actions.act_window",
                "res_model": "sprout.profile",
                "res_id": profiles.id,
                "view_mode": "form",
            }
        )

    def _link_values(self, line):
        # Lines come from the profiles read when the wizard opened: each has its record.
        # One missing was deleted since; creating it here would bypass its binding.
        profile = self.backend_id.with_context(active_test=False).profile_ids.filtered(
            lambda profile: profile.profile_id == line.external_id
        )
        if not profile:
            raise UserError(
                self.env._("Profile %(name)s is no longer in Odoo: open this window again.", name=line.name)
            )
        return {"sync_messages": True}

    def _link_again(self, profile, values):
        profile.write(values)

    def _link_nothing_chosen_text(self):
        return self.env._("Tick the profiles whose inbox comes into Odoo.")


class SproutProfileLinkLine(models.TransientModel):
    _name = "sprout.profile.link.line"
    _inherit = "connector.link.line.mixin"
    _description = "Sprout Social Profile to Sync"

    wizard_id = fields.Many2one("sprout.profile.link", required=True, ondelete="cascade")
    network = fields.Char(readonly=True)
    handle = fields.Char(readonly=True)
    groups = fields.Char(readonly=True)
