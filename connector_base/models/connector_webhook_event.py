from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL


class ConnectorWebhookEvent(models.Model):
    """The id of each webhook event received, so a redelivery is dropped.

    Platforms redeliver when an answer is slow or lost; a row here outlives the
    job the event created (done jobs are purged), and the unique constraint
    decides between two deliveries racing each other.
    """

    _name = "connector.webhook.event"
    _description = "Connector Webhook Event"
    _order = "received_at desc, id desc"
    # Written once per delivery by plain SQL; the audit columns would only cost.
    _log_access = False

    backend_model = fields.Char(required=True, readonly=True)
    backend_id = fields.Many2oneReference(model_field="backend_model", required=True, readonly=True)
    event_id = fields.Char(string="Event ID", required=True, readonly=True)
    received_at = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)

    _sql_constraints = [
        (
            "event_unique",
            "UNIQUE (backend_model, backend_id, event_id)",
            "This event was already received for this backend.",
        ),
    ]

    @api.model
    def _claim_sql(self, backend, event_id):
        """SQL recording ``event_id`` for ``backend``, returning a row unless it was
        already recorded (``connector.sync.job._enqueue_guarded`` runs it with the jobs).

        In a REPEATABLE READ transaction, a concurrent delivery of the same event
        that commits first makes it raise a serialization failure: the request
        is retried by Odoo and then sees the duplicate. Expected, so not logged.
        """
        return SQL(
            """
            INSERT INTO connector_webhook_event (backend_model, backend_id, event_id, received_at)
            VALUES (%s, %s, %s, (now() AT TIME ZONE 'UTC'))
            ON CONFLICT (backend_model, backend_id, event_id) DO NOTHING
            RETURNING id
            """,
            backend._name,
            backend.id,
            str(event_id),
        )

    @api.model
    def _cron_purge(self):
        """Forget event ids older than the job retention: no platform redelivers that late."""
        days = float(
            self.env["ir.config_parameter"].sudo().get_param("connector_base.job_retention_days", 30)
        )
        self.env.cr.execute(
            SQL(
                "DELETE FROM connector_webhook_event WHERE received_at < %s",
                fields.Datetime.now() - timedelta(days=days),
            )
        )
        self.invalidate_model()
        return self.env.cr.rowcount
