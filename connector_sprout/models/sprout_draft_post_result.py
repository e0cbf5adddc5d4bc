from odoo import fields, models


class SproutDraftPostResult(models.Model):
    """One post Sprout made of a draft: a profile at a scheduled time, and its Sprout id."""

    _name = "sprout.draft.post.result"
    _description = "Sprout Social Draft Post Result"
    _order = "id"

    post_id = fields.Many2one("sprout.draft.post", required=True, ondelete="cascade", index=True)
    publishing_post_id = fields.Char(string="Sprout post id", required=True, readonly=True)
    profile_id = fields.Many2one("sprout.profile", readonly=True, ondelete="set null")
    scheduled_at = fields.Datetime(string="Scheduled for", readonly=True)
    permalink = fields.Char(string="In Sprout", readonly=True)
