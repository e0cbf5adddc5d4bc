from odoo import api, fields, models
from odoo.exceptions import UserError

from ..lib.publishing import media_type

DRAFT_POST = "draft_post"
STATES = [
    ("draft", "Being written"),
    ("queued", "Waiting to be sent"),
    ("sent", "Draft in Sprout"),
    ("refused", "Refused by Sprout"),
    ("unknown", "Outcome unknown: check in Sprout"),
]


class SproutDraftPost(models.Model):
    """A post composed in Odoo and sent to Sprout Social as a draft (the only kind its API
    creates), for profiles of one group, at scheduled times in the future, with tags and
    images. Send queues a job: Sprout is never called from the button's transaction. The
    record keeps what was sent, the Sprout posts it made (one per profile and time) or
    Sprout's refusal in words."""

    _name = "sprout.draft.post"
    _inherit = ["mail.thread"]
    _description = "Sprout Social Draft Post"
    _order = "id desc"

    name = fields.Char(required=True, help="What the post is about, in Odoo only.")
    backend_id = fields.Many2one(
        "sprout.backend", string="Account", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="backend_id.company_id", store=True)
    group_id = fields.Many2one(
        "sprout.group",
        required=True,
        domain="[('backend_id', '=', backend_id)]",
        help="A draft is made in one Sprout group: its profiles must all belong to it.",
    )
    profile_ids = fields.Many2many(
        "sprout.profile", string="Profiles", required=True, domain="[('group_ids', 'in', group_id)]"
    )
    text = fields.Text()
    scheduled_time_ids = fields.One2many("sprout.draft.post.time", "post_id", string="Scheduled times")
    tag_ids = fields.Many2many("sprout.tag", string="Tags", domain="[('backend_id', '=', backend_id)]")
    image_ids = fields.Many2many(
        "ir.attachment",
        string="Images",
        help="Photos or videos, uploaded to Sprout just before the draft is made.",
    )
    state = fields.Selection(STATES, default="draft", required=True, readonly=True, tracking=True)
    sent_body = fields.Text(string="Sent to Sprout", readonly=True, help="The request that made the draft.")
    refusal = fields.Text(string="Sprout's answer", readonly=True)
    result_ids = fields.One2many("sprout.draft.post.result", "post_id", string="Sprout posts", readonly=True)

    @api.onchange("group_id")
    def _onchange_group_id(self):
        self.profile_ids = self.profile_ids.filtered(lambda profile: self.group_id in profile.group_ids)

    def action_send(self):
        """Check the post and queue its sending."""
        for post in self:
            post._sprout_check_sendable()
        # A person checked that Sprout did not make these: the earlier attempt made nothing.
        for post in self.filtered(lambda post: post.state == "unknown"):
            self.env["connector.create.intent"].sudo()._forget(post.backend_id, DRAFT_POST, post)
        self.write({"state": "queued", "refusal": False})
        for post in self:
            post.backend_id._connector_enqueue(
                "_job_send_draft_post",
                {"post_id": post.id},
                kind="export",
                name=self.env._("Send the draft post %(post)s to Sprout Social", post=post.name),
                object_type=DRAFT_POST,
                object_name=post.name,
                identity_key=f"{DRAFT_POST}:{post.id}",
            )
        return True

    def action_mark_made(self):
        """A person found the draft of a post whose outcome was unknown in Sprout."""
        unknown = self.filtered(lambda post: post.state == "unknown")
        unknown.write({"state": "sent", "refusal": False})
        for post in unknown:
            post.message_post(body=self.env._("Found in Sprout Social by %(user)s.", user=self.env.user.name))
        return True

    def action_back_to_draft(self):
        """A refused post, to correct and send again."""
        self.filtered(lambda post: post.state == "refused").write({"state": "draft"})
        return True

    def _sprout_check_sendable(self):
        """A ``UserError`` saying what stops this post from being sent, if anything."""
        self.ensure_one()
        if self.state not in ("draft", "refused", "unknown"):
            raise UserError(self.env._("%(post)s was sent already.", post=self.name))
        if not self.text and not self.image_ids:
            raise UserError(
                self.env._("%(post)s has neither text nor image: write something.", post=self.name)
            )
        outside = self.profile_ids.filtered(lambda profile: self.group_id not in profile.group_ids)
        if outside:
            raise UserError(
                self.env._(
                    "%(profiles)s not in the group %(group)s: a draft is made for profiles of one group.",
                    profiles=", ".join(outside.mapped("name")),
                    group=self.group_id.name,
                )
            )
        unsupported = self.image_ids.filtered(lambda image: not media_type(image.mimetype))
        if unsupported:
            raise UserError(
                self.env._(
                    "Sprout Social takes photos and videos only, not %(files)s.",
                    files=", ".join(f"{image.name} ({image.mimetype})" for image in unsupported),
                )
            )
        self.scheduled_time_ids._sprout_check_future()
