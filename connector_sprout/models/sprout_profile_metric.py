from odoo import fields, models


class SproutProfileMetric(models.Model):
    """One metric of one profile on one day, the day being the network's own (Pacific time
    for Facebook, Instagram and YouTube, UTC for the others). Importing a day again replaces
    its values: one record per profile, day and metric."""

    _name = "sprout.profile.metric"
    _inherit = ["connector.external.id.mixin"]
    _description = "Sprout Social Profile Metric"
    _order = "day desc, profile_id, metric"

    backend_id = fields.Many2one("sprout.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True)
    profile_id = fields.Many2one("sprout.profile", required=True, ondelete="cascade", index=True)
    network = fields.Char(related="profile_id.network", store=True)
    day = fields.Date(required=True, index=True, help="The network's own day.")
    metric = fields.Char(required=True, help="As Sprout names it: impressions, reactions...")
    value = fields.Float(aggregator="sum")

    _sql_constraints = [
        (
            "metric_day_unique",
            "UNIQUE (profile_id, day, metric)",
            "A profile has one value of a metric per day.",
        ),
    ]
