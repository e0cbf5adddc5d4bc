from odoo import fields, models, tools

from .connector_sync_job import JOB_STATES


class ConnectorSyncJobHourly(models.Model):
    """Jobs counted per hour of enqueueing and state: the overview's graph.

    A view, as Odoo's reports are: the web client groups dates by day at the finest,
    and the job table stays free of a column only the graph reads.
    """

    _name = "connector.sync.job.hourly"
    _description = "Connector Sync Jobs per Hour"
    _auto = False
    _order = "hour_start"

    hour_start = fields.Datetime(readonly=True)
    hour = fields.Char(string="Hour (UTC)", readonly=True)
    state = fields.Selection(JOB_STATES, readonly=True)
    backend_model = fields.Char(readonly=True)
    backend_id = fields.Many2oneReference(model_field="backend_model", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    job_count = fields.Integer(string="Jobs", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE VIEW {self._table} AS
            SELECT min(id) AS id,
                   date_trunc('hour', enqueued_at) AS hour_start,
                   to_char(date_trunc('hour', enqueued_at), 'YYYY-MM-DD HH24:00') AS hour,
                   state, backend_model, backend_id, company_id, count(*) AS job_count
              FROM connector_sync_job
             GROUP BY date_trunc('hour', enqueued_at), state, backend_model, backend_id, company_id
            """
        )
