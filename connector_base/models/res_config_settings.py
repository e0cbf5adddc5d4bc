from odoo import api, fields, models

from ..lib import webhook


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    connector_job_retention_days = fields.Integer(
        string="Keep done jobs (days)", config_parameter="connector_base.job_retention_days", default=30
    )
    connector_job_max_attempts = fields.Integer(
        string="Attempts before a job fails", config_parameter="connector_base.job_max_attempts", default=5
    )
    connector_retry_base_seconds = fields.Integer(
        string="First retry after (seconds)",
        config_parameter="connector_base.retry_base_seconds",
        default=30,
        help="Each further retry waits twice as long, up to an hour.",
    )
    connector_circuit_breaker_threshold = fields.Integer(
        string="Pause a backend after (consecutive failures)",
        config_parameter="connector_base.circuit_breaker_threshold",
        default=5,
        help="0 never pauses.",
    )
    connector_circuit_breaker_cooldown_minutes = fields.Integer(
        string="Resume it after (minutes)",
        config_parameter="connector_base.circuit_breaker_cooldown_minutes",
        default=15,
    )
    connector_webhook_signed_budget = fields.Integer(
        string="Signed deliveries per backend",
        config_parameter="connector_base.webhook_signed_budget",
        default=webhook.DEFAULT_SIGNED_BUDGET[0],
        help="Taken at once, then refilled evenly over the period; past it a delivery gets 429 "
        "with Retry-After. Platforms retry a few times and then disable the webhook: keep it "
        "above the largest burst they send (one delivery per card in a Trello bulk move).",
    )
    connector_webhook_signed_budget_seconds = fields.Integer(
        string="Signed budget period (seconds)",
        config_parameter="connector_base.webhook_signed_budget_seconds",
        default=webhook.DEFAULT_SIGNED_BUDGET[1],
    )
    connector_webhook_unverified_budget = fields.Integer(
        string="Refused deliveries per address",
        config_parameter="connector_base.webhook_unverified_budget",
        default=webhook.DEFAULT_UNVERIFIED_BUDGET[0],
        help="Unsigned, forged, malformed or oversized deliveries, probes and handshakes, counted "
        "per source address and never against the signed budget.",
    )
    connector_webhook_unverified_budget_seconds = fields.Integer(
        string="Refused budget period (seconds)",
        config_parameter="connector_base.webhook_unverified_budget_seconds",
        default=webhook.DEFAULT_UNVERIFIED_BUDGET[1],
    )
    connector_encryption_status = fields.Char(
        string="Encryption", compute="_compute_connector_encryption_status"
    )

    @api.depends("company_id")
    def _compute_connector_encryption_status(self):
        status = self.env["connector.credential"]._key_status()
        for settings in self:
            settings.connector_encryption_status = status

    def action_connector_reencrypt_secrets(self):
        return self.env["connector.credential"].action_reencrypt_all()
