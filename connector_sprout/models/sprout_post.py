from odoo import fields, models


class SproutPost(models.Model):
    """A post a synced profile published, with its lifetime metrics as last read: they keep
    changing, so the recent posts are read again on every analytics import (one record per guid)."""

    _name = "sprout.post"
    _inherit = ["connector.external.id.mixin"]
    _description = "Sprout Social Post Metrics"
    _order = "created_time desc, id desc"
    _rec_name = "guid"

    backend_id = fields.Many2one("sprout.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True)
    guid = fields.Char(string="Sprout GUID", required=True, readonly=True)
    profile_id = fields.Many2one("sprout.profile", ondelete="set null", index=True)
    network = fields.Char(related="profile_id.network", store=True)
    created_time = fields.Datetime(string="Published", index=True)
    text = fields.Text()
    permalink = fields.Char(string="Link")
    impressions = fields.Integer(aggregator="sum")
    likes = fields.Integer(aggregator="sum")
    comments = fields.Integer(aggregator="sum")
    shares = fields.Integer(aggregator="sum")
    link_clicks = fields.Integer(string="Link clicks", aggregator="sum")

    _sql_constraints = [
        ("post_guid_unique", "UNIQUE (backend_id, guid)", "A Sprout post is imported once per backend."),
    ]
