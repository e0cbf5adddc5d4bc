from odoo import api, fields, models

from ..lib.errors import AuthenticationError, ConnectorError, RetryableError


class ConnectorBackendPolling(models.AbstractModel):
    """Polling, the safety net under webhooks: the same inbound path, started from a cursor.

    A connector names what it polls (:meth:`_connector_poll_containers`) and how one
    poll reads the platform (:meth:`_connector_poll`); its cron calls
    :meth:`_cron_connector_poll` on its backend model. Each container is polled by
    its own deduplicated job (never in the cron's transaction), so a paused backend
    or an open circuit breaker holds it like any job, and what the poll finds goes
    through the webhook intake's claim-and-enqueue (:meth:`_webhook_accept`): a change
    both polled and delivered by a webhook is applied once.
    """

    # One concern per file: several files of this addon extend the backend mixin.
    _inherit = "connector.backend.mixin"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ hooks
    def _connector_poll_containers(self):
        """{container id: name} of what this backend polls (platform hook: linked boards, sheets)."""
        return {}

    def _connector_poll(self, container, cursor):
        """Read what changed in ``container`` after ``cursor`` (None: never polled); return a
        ``lib.polling.Polled`` (platform hook). One call when nothing changed; raises the
        typed errors of ``lib.errors``."""
        raise NotImplementedError(f"{self._name} does not poll")

    def _connector_poll_job_values(self, payload, event_id):
        """The jobs applying one polled event: a webhook delivery's by default."""
        return self._webhook_job_values(payload, event_id)

    def _connector_poll_apply(self, payload, read=None):
        """Apply one polled event in the poll job itself and return its job result (platform
        hook, optional), or None (the default) to queue the jobs of
        :meth:`_connector_poll_job_values`. For a platform whose polled events no webhook
        delivers (Sprout), a page read is stored at once: no job per page to store, load
        and run. Nothing claims an applied event: the next poll must find what it applied
        unchanged and leave it out (Sprout compares each message with what is stored).
        ``read``: the event's ``lib.polling.PolledEvent.read``, what the poll learnt
        reading it in this transaction (None when it learnt nothing)."""
        return None

    # ------------------------------------------------------------------ primitive
    @api.model
    def _cron_connector_poll(self):
        """Queue one poll job per container of each running backend of this model."""
        for backend in self._connector_pollable_backends():
            backend._connector_enqueue_polls()

    @api.model
    def _connector_pollable_backends(self):
        """The backends of this model a cron may queue jobs for: active, not paused, not
        waiting for a credential (a connector's other scheduled reads use it too)."""
        backends = self.search([("active", "=", True), ("needs_reauthorization", "=", False)])
        return backends.filtered(lambda backend: not backend.paused)

    def _connector_enqueue_polls(self, containers=None):
        """One poll job per container (all of the backend's by default), deduplicated while
        pending. ``containers``: ids of :meth:`_connector_poll_containers`, or {id: name} of
        containers polled on another schedule (Sprout's action windows)."""
        self.ensure_one()
        known = containers if isinstance(containers, dict) else self._connector_poll_containers()
        for container in known if containers is None else containers:
            name = known.get(container, container)
            self._connector_enqueue(
                "_job_poll",
                {"container": container},
                name=self.env._(
                    "Look for changes in %(what)s (%(backend)s)", what=name, backend=self.display_name
                ),
                object_name=name,
                identity_key=f"poll:{container}",
                priority=20,
            )

    def _job_poll(self, job):
        # Only the first try applies what it reads (see _connector_poll_applied).
        return self._connector_poll_container(job.payload["container"], apply=job.attempts <= 1)

    def _connector_poll_container(self, container, apply=True):
        """Poll one container: apply (:meth:`_connector_poll_apply`, unless ``apply`` is
        False) or claim and queue what changed, move its cursor. Writes nothing when nothing
        changed."""
        self.ensure_one()
        state = self.env["connector.poll.cursor"].sudo()._for(self, container)
        polled = self._connector_poll(container, state.cursor or None)
        found, fresh, applied = 0, 0, []
        for event in polled.events:
            found += 1
            result = self._connector_poll_applied(event) if apply else None
            if result is not None:
                applied.append(result)
                continue
            vals_list = self._connector_poll_job_values(event.payload, event.event_id)
            fresh += self._connector_accept_jobs(vals_list, event.event_id)
        cursor = polled.cursor() if callable(polled.cursor) else polled.cursor
        if cursor is not None and cursor != state.cursor:
            state.write({"cursor": cursor, "changed_at": fields.Datetime.now()})
        if not found:
            return {"skipped": 1, "summary": self.env._("Nothing changed.")}
        if applied:
            return self._connector_poll_applied_result(applied, queued=found - len(applied))
        return {
            "created": fresh,
            "skipped": found - fresh,
            "summary": self.env._(
                "%(count)s change(s) found, %(fresh)s new (the others had come by webhook).",
                count=found,
                fresh=fresh,
            ),
        }

    def _connector_poll_applied(self, event):
        """The result of applying ``event`` in the poll (:meth:`_connector_poll_apply`), or
        None when the hook queues it.

        There is no savepoint per event (a subtransaction per page made a 20,000-message
        import a third slower): an event that fails to apply fails the poll, whose work is
        rolled back, cursor included. Its retry queues every event instead, each in a job of
        its own that fails, waits or retries alone, its error shown: nothing read is lost and
        one bad event holds back no other. An error that says to wait (another job holds
        what this one needs, a refused credential) keeps its own meaning."""
        try:
            return self._connector_poll_apply(event.payload, event.read)
        except ConnectorError as error:
            if error.retryable or isinstance(error, AuthenticationError):
                raise
            raise self._connector_poll_apply_failed(error) from error
        except Exception as error:  # any failure of one event: see the docstring
            raise self._connector_poll_apply_failed(error) from error

    def _connector_poll_apply_failed(self, error):
        return RetryableError(
            self.env._(
                "A change this poll read could not be stored (%(error)s): the next try queues each "
                "change as a job of its own.",
                error=f"{type(error).__name__}: {error}",
            )
        )

    def _connector_poll_applied_result(self, results, queued):
        """The poll job's result when it applied events itself: their counts added up."""
        totals = {
            key: sum(result.get(key, 0) for result in results) for key in ("created", "updated", "skipped")
        }
        summary = self.env._(
            "%(count)s change(s) applied: %(created)s new, %(updated)s updated, %(skipped)s unchanged.",
            count=len(results),
            **totals,
        )
        if queued:
            summary += " " + self.env._("%(queued)s queued as jobs of their own.", queued=queued)
        return {**totals, "summary": summary}

    def _connector_poll_cursor(self, container):
        """The stored cursor of ``container``, or None."""
        self.ensure_one()
        state = (
            self.env["connector.poll.cursor"]
            .sudo()
            .search(
                [
                    ("backend_model", "=", self._name),
                    ("backend_id", "=", self.id),
                    ("container", "=", str(container)),
                ],
                limit=1,
            )
        )
        return state.cursor or None

    def _connector_poll_set_cursor(self, container, cursor):
        """Move the cursor (an import that read everything takes it first: what changes while
        it runs is caught by the next poll)."""
        self.ensure_one()
        state = self.env["connector.poll.cursor"].sudo()._for(self, container)
        if cursor and cursor != state.cursor:
            state.write({"cursor": cursor, "changed_at": fields.Datetime.now()})

    @api.ondelete(at_uninstall=False)
    def _unlink_poll_cursors(self):
        self.env["connector.poll.cursor"].sudo().search(
            [("backend_model", "=", self._name), ("backend_id", "in", self.ids)]
        ).unlink()
