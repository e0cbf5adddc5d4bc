from datetime import timedelta

from odoo import fields, models
from odoo.tools import SQL

QUOTA_EXHAUSTED_REASON = "Quota used up: rate-limit answers for too long"


class ConnectorBackendQuota(models.AbstractModel):
    """A platform quota longer than its rate-limit windows (Sprout Social: 250,000 requests
    a month beside 60 a minute), seen from outside: rate-limit answers that go on long after
    the short windows would have cleared, with no job succeeding meanwhile, mean it is used
    up. The backend is then paused for a while with one note to the connector managers, and
    the jobs that met the answer wait, pending, their attempt not counted.

    A platform opts in with :meth:`_connector_quota_exhausted_after`; its rate-limit
    answers then count towards this rule rather than the circuit breaker's (one note, not
    two)."""

    # One concern per file: several files of this addon extend the backend mixin.
    _inherit = "connector.backend.mixin"  # pylint: disable=consider-merging-classes-inherited

    rate_limited_since = fields.Datetime(
        readonly=True, copy=False, help="The first rate-limit answer since the last job that succeeded."
    )
    quota_exhausted_at = fields.Datetime(
        string="Quota used up at", readonly=True, copy=False, help="When the backend was last paused for it."
    )

    # ------------------------------------------------------------------ hooks
    def _connector_quota_exhausted_after(self):
        """Minutes of rate-limit answers, nothing succeeding, after which the platform's
        longer quota is taken as used up (platform hook); None: the platform has none."""
        return None

    def _connector_quota_pause_hours(self):
        """How long a used-up quota pauses the backend before trying again (platform hook)."""
        return 24

    # ------------------------------------------------------------------ rule
    def _connector_succeeded_since(self, moment):
        """Whether a job of this backend ended done after ``moment``: one indexed query."""
        self.ensure_one()
        self.env["connector.sync.job"].flush_model(["state", "finished_at", "backend_id", "backend_model"])
        self.env.cr.execute(
            SQL(
                "SELECT 1 FROM connector_sync_job WHERE backend_model = %s AND backend_id = %s "
                "AND state = 'done' AND finished_at > %s LIMIT 1",
                self._name,
                self.id,
                moment,
            )
        )
        return bool(self.env.cr.fetchone())

    def _connector_rate_limited(self, error):
        """A job met a rate-limit answer (``error``). Returns True when the backend is now
        paused for a used-up quota (the job then waits, pending); False when the answer is
        only the short window's, to be backed off as usual."""
        self.ensure_one()
        minutes = self._connector_quota_exhausted_after()
        if minutes is None:
            return False
        backend = self.sudo()
        now = fields.Datetime.now()
        since = backend.rate_limited_since
        if not since or backend._connector_succeeded_since(since):
            backend.rate_limited_since = since = now
        if now - since < timedelta(minutes=minutes):
            return False
        hours = backend._connector_quota_pause_hours()
        backend.action_pause(reason=QUOTA_EXHAUSTED_REASON, resume_at=now + timedelta(hours=hours))
        noted = backend.quota_exhausted_at
        if noted and not backend._connector_succeeded_since(noted):
            return True  # the same run of answers, seen again after the pause: told already
        backend.quota_exhausted_at = now
        backend._connector_notify_managers(
            self.env._(
                "%(backend)s: the platform has answered 'too many requests' for %(minutes)s minutes and "
                "nothing succeeded meanwhile, so its quota for the longer period (the month's) looks used "
                "up (%(error)s). Its jobs are paused for %(hours)s hours and wait, pending; they try again "
                "after that, or when a connector manager presses Resume.",
                backend=backend.display_name,
                minutes=int((now - since).total_seconds() // 60),
                error=str(error),
                hours=hours,
            )
        )
        return True
