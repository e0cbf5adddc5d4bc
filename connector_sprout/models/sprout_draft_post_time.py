from odoo import api, fields, models
from odoo.exceptions import ValidationError


class SproutDraftPostTime(models.Model):
    """A time a draft post is scheduled for: Sprout takes only times in the future, to the minute."""

    _name = "sprout.draft.post.time"
    _description = "Sprout Social Draft Post Time"
    _order = "scheduled_at"

    post_id = fields.Many2one("sprout.draft.post", required=True, ondelete="cascade", index=True)
    scheduled_at = fields.Datetime(string="Scheduled for", required=True)

    @api.constrains("scheduled_at")
    def _check_scheduled_at(self):
        self.filtered(lambda time: time.post_id.state in ("draft", "refused"))._sprout_check_future()

    def _sprout_check_future(self):
        now = fields.Datetime.now()
        past = self.filtered(lambda time: time.scheduled_at <= now)
        if past:
            raise ValidationError(
                self.env._(
                    "Sprout Social schedules posts in the future only: %(times)s has passed. "
                    "Choose a later time.",
                    times=", ".join(
                        fields.Datetime.to_string(fields.Datetime.context_timestamp(self, time.scheduled_at))
                        for time in past
                    ),
                )
            )
