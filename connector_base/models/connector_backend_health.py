from datetime import timedelta

from odoo import fields, models
from odoo.tools import SQL

from ..lib.errors import AuthenticationError, ConnectorError
from ..lib.notification import notification
from .connector_error_text import connector_error_text

CIRCUIT_BREAKER_REASON = "Circuit breaker: too many consecutive failures"


class ConnectorBackendHealth(models.AbstractModel):
    """Health of a backend: its figures, the health check, and the circuit breaker after repeated failures."""

    # One concern per file: several files of this addon extend this model.
    _inherit = "connector.backend.mixin"  # pylint: disable=consider-merging-classes-inherited

    def _compute_health_figures(self):
        Job = self.env["connector.sync.job"].sudo()
        since = fields.Datetime.now() - timedelta(hours=24)
        domain = self._job_domain()
        last_done = dict(
            Job._read_group([*domain, ("state", "=", "done")], ["backend_id"], ["finished_at:max"])
        )
        waiting = dict(Job._read_group([*domain, ("state", "=", "pending")], ["backend_id"], ["__count"]))
        failed = dict(
            Job._read_group(
                [*domain, ("error_class", "!=", False), ("finished_at", ">=", since)],
                ["backend_id"],
                ["__count"],
            )
        )
        streaks = self._failure_streaks()
        for backend in self:
            backend.last_success_at = last_done.get(backend.id)
            backend.queue_depth = waiting.get(backend.id, 0)
            backend.failures_24h = failed.get(backend.id, 0)
            backend.consecutive_failures = streaks.get(backend.id, 0)

    def _failure_streaks(self):
        """{backend id: jobs that failed on the platform since the backend's last success}."""
        if not self.ids:
            return {}
        self.env["connector.sync.job"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT job.backend_id, count(*)
                  FROM connector_sync_job job
                 WHERE job.backend_model = %(model)s AND job.backend_id = ANY(%(ids)s)
                   AND job.platform_failure AND job.state IN ('pending', 'failed')
                   AND job.finished_at > COALESCE(
                       (SELECT max(done.finished_at) FROM connector_sync_job done
                         WHERE done.backend_model = job.backend_model AND done.backend_id = job.backend_id
                           AND done.state = 'done'),
                       '-infinity')
                 GROUP BY job.backend_id
                """,
                model=self._name,
                ids=self.ids,
            )
        )
        return dict(self.env.cr.fetchall())

    def _connector_platform_checks(self, label, checks):
        """The health checks ``checks()`` makes on the platform, outside any job; when the
        platform refuses the credential, one failed check saying so, and the backend is held
        by the same policy as a job meeting the refusal (flagged, paused, managers told once)."""
        try:
            return checks()
        except AuthenticationError as error:
            self._connector_credentials_refused(error)
            return [(label, False, connector_error_text(self.env, error))]
        except ConnectorError as error:
            return [(label, False, connector_error_text(self.env, error))]

    def _connector_after_platform_failure(self):
        """Open the circuit breaker when the platform keeps failing: stop hammering it."""
        self.ensure_one()
        params = self.env["ir.config_parameter"].sudo()
        threshold = int(params.get_param("connector_base.circuit_breaker_threshold", 5))
        streak = self._failure_streaks().get(self.id, 0)
        if threshold <= 0 or streak < threshold or self.paused:
            return False
        minutes = int(params.get_param("connector_base.circuit_breaker_cooldown_minutes", 15))
        self.action_pause(
            reason=CIRCUIT_BREAKER_REASON, resume_at=fields.Datetime.now() + timedelta(minutes=minutes)
        )
        self._connector_notify_managers(
            self.env._(
                "%(backend)s failed %(count)s times in a row: its jobs are paused for %(minutes)s minutes. "
                "They resume by themselves after that, or at once after a successful health check.",
                backend=self.display_name,
                count=streak,
                minutes=minutes,
            )
        )
        return True

    def _connector_platform_health(self):
        """The (label, ok, detail) checks this backend makes on the platform itself (its
        credentials, its webhooks), asked once its credentials are set (platform hook):
        ``self._connector_platform_checks(label, calls)``, so a refusal is one failed check."""
        return []

    def _health_checks(self):
        """(label, ok, detail) triples: the base's checks, then the platform's
        (:meth:`_connector_platform_health`) when the credentials are set."""
        self.ensure_one()
        checks = [
            (
                self.env._("Credentials"),
                self._connector_credentials_ready(),
                self.env._("All secrets are set.")
                if self._connector_credentials_ready()
                else self.env._("Some secrets are missing."),
            )
        ]
        cron = self.env.ref("connector_base.ir_cron_run_sync_jobs").sudo()
        overdue = (
            self.env["connector.sync.job"]
            .sudo()
            .search_count(
                [
                    *self._job_domain(),
                    ("state", "=", "pending"),
                    ("next_attempt_at", "<", fields.Datetime.now() - timedelta(minutes=10)),
                ]
            )
        )
        runner_ok = cron.active and (not overdue or self.paused)
        checks.append(
            (
                self.env._("Job runner"),
                runner_ok,
                self.env._("The runner is active.")
                if runner_ok
                else self.env._(
                    "%(count)s job(s) are overdue by more than 10 minutes: is the scheduler running?",
                    count=overdue,
                ),
            )
        )
        if self._connector_credentials_ready():
            checks += self._connector_platform_health()
        return checks

    def action_check_health(self):
        for backend in self:
            try:
                checks = backend._health_checks()
            except ConnectorError as error:
                checks = [(self.env._("Platform"), False, connector_error_text(self.env, error))]
            healthy = all(ok for _label, ok, _detail in checks)
            backend.write(
                {
                    "health_state": "ok" if healthy else "error",
                    "health_checked_at": fields.Datetime.now(),
                    "health_message": "\n".join(
                        f"{'✔' if ok else '✘'} {label}: {detail}" for label, ok, detail in checks
                    ),
                }
            )
            if healthy:
                backend._close_circuit_breaker()
        return notification(
            "\n".join(self.mapped("health_message")),
            level="success" if all(b.health_state == "ok" for b in self) else "warning",
            close=True,
            sticky=False,
        )

    def _close_circuit_breaker(self):
        self.env["connector.backend.pause"].sudo().search(
            [*self._pause_domain(), ("reason", "=", CIRCUIT_BREAKER_REASON)]
        ).unlink()
        self.env["connector.sync.job"]._schedule_runner(fields.Datetime.now())
