from odoo import fields, models


class SproutMessage(models.Model):
    """An inbox message of a synced profile, one record per Sprout guid."""

    _name = "sprout.message"
    _inherit = ["connector.external.id.mixin"]
    _description = "Sprout Social Message"
    _order = "created_time desc, id desc"
    _rec_name = "guid"

    backend_id = fields.Many2one("sprout.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True)
    guid = fields.Char(string="Sprout GUID", required=True, readonly=True)
    created_time = fields.Datetime(string="Time", index=True)
    network = fields.Char()
    post_type = fields.Char(help="As Sprout names it: INSTAGRAM_GRAPH_COMMENT, TWITTER_DIRECT_MESSAGE...")
    post_category = fields.Char()
    profile_id = fields.Many2one("sprout.profile", ondelete="set null", index=True)
    text = fields.Text()
    permalink = fields.Char(string="Link")
    author_guid = fields.Char(string="Author GUID", index=True)
    author_name = fields.Char(string="Author")
    author_screen_name = fields.Char(string="Author handle")
    tag_ids = fields.Many2many("sprout.tag", string="Tags")
    language = fields.Char()
    case_id = fields.Char(string="Sprout case", help="The Sprout case the message belongs to, if any.")
    sent_by_us = fields.Boolean(string="Sent by us", help="Sent from Sprout by one of the customer's users.")

    _sql_constraints = [
        ("guid_unique", "UNIQUE (backend_id, guid)", "A Sprout message is imported once per backend."),
    ]
