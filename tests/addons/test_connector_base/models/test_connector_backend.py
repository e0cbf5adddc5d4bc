import gc
import os
import threading
import time

from odoo import fields, models

from odoo.addons.connector_base.fields import Secret
from odoo.addons.connector_base.lib.errors import (
    AuthenticationError,
    ConcurrencyError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
)

# The token the stand-in platform keeps refusing.
REFUSED_TOKEN = "refused-token"


class TestConnectorBackend(models.Model):
    _name = "test.connector.backend"
    _inherit = ["connector.backend.mixin"]
    _description = "Test Connector Backend"

    api_token = Secret()
    app_secret = Secret()
    # Stands in for the platform in base-level tests of the generic flows;
    # each connector tests its own hooks against its HTTP emulator.
    platform_snapshot = fields.Json(help="{external type: {external id: content hash}} the platform holds.")
    platform_scope = fields.Json(help="{external type: external ids} a windowed snapshot covers.")
    exported = fields.Json(default=list, help="External values sent by _export_record, in order.")
    removed = fields.Json(default=list, help="[policy, external type, external id] of each object removed.")
    deleted_record_policy = fields.Selection(
        selection_add=[("archive", "Archive the platform object"), ("delete", "Delete the platform object")],
        ondelete={"archive": "set default", "delete": "set default"},
    )

    def _reconcile_types(self):
        return sorted(self.platform_snapshot or {})

    def _reconcile_snapshot(self, external_type):
        yield from (self.platform_snapshot or {}).get(external_type, {}).items()

    def _reconcile_scope(self, external_type):
        scope = (self.platform_scope or {}).get(external_type)
        return None if scope is None else list(scope)

    def _export_record(self, binding, record, external_values):
        self.exported = [*(self.exported or []), {"external_id": binding.external_id, **external_values}]

    def _job_export_new_cards(self, job):
        """Create the platform cards of the board's unbound cards and bind them."""
        board = self.env["test.connector.board"].browse(job.payload["board_id"])
        cards = self.env["test.connector.card"].search([("board_id", "=", board.id)])
        bound = set(self.env["connector.external.binding"]._of_records(cards, self, "card").mapped("res_id"))
        new = board._connector_exports_new(cards.filtered(lambda card: card.id not in bound))
        for card in new:
            card._connector_bind(self, "card", f"platform-{card.id}")
        return {"created": len(new)}

    def _connector_remove_external(self, external_type, external_ids, policy):
        self.removed = [*(self.removed or []), *([policy, external_type, ext_id] for ext_id in external_ids)]
        return {"updated": len(external_ids)}

    def _job_noop(self, job):
        return {"skipped": 1}

    def _job_report_frozen_objects(self, job):
        # What the runner froze for the collector while this handler runs (lib.heap).
        return {"summary": f"frozen {gc.get_freeze_count()}"}

    def _job_describe_backend(self, job):
        return {"summary": self.name}

    def _job_import_task(self, job):
        """Import the one task record of the payload: how a quarantined record is retried."""
        mapper = self.env["connector.field.mapping"]._get_mapper(self, "card", "test.connector.task")
        values, _warnings = mapper.to_odoo(job.payload)
        self.env["test.connector.task"].create(values)
        return {"created": 1}

    def _job_record_execution(self, job):
        niceness = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        self.env["test.connector.execution"].create(
            {"job_id": job.id, "pid": os.getpid(), "niceness": niceness}
        )
        return {"created": 1}

    def _job_wait_on_platform(self, job):
        """A job whose time goes into waiting on the platform (as an API call's latency)."""
        time.sleep((job.payload or {}).get("seconds", 0.1))
        return self._job_record_execution(job)

    def _job_write_backend_then_wait(self, job):
        """A job writing its backend's row, then holding it while it waits on the platform
        (as an import writing its board before reading the cards)."""
        self.platform_snapshot = {"written by": job.id}
        self.env.flush_all()
        return self._job_wait_on_platform(job)

    def _job_apply_together(self, job):
        """Apply this job's event and those of the pending jobs it takes along, in one run."""
        jobs = job | job._coalesce_pending()
        self.env["test.connector.execution"].create(
            [{"job_id": each.id, "pid": os.getpid()} for each in jobs]
        )
        if any((each.payload or {}).get("fail") for each in jobs):
            raise ServerError("platform answered 503", status=503)
        return {"updated": len(jobs), "summary": f"{len(jobs)} applied"}

    def _job_fail_with_server_error(self, job):
        self.env["test.connector.execution"].create({"job_id": job.id})
        raise ServerError("platform answered 503", status=503)

    def _job_fail_concurrently(self, job):
        raise ConcurrencyError("another job is importing res.partner records matching the same keys")

    def _job_fail_rate_limited(self, job):
        raise RateLimitedError("too many requests", status=429, retry_after=600)

    def _job_fail_authentication(self, job):
        raise AuthenticationError("the platform refused the token", status=401)

    def _job_call_platform(self, job):
        """A job that works once the stored token is accepted, like any platform call."""
        if self._connector_check_credentials() is False:
            raise AuthenticationError("the platform refused the token", status=401)
        self.env["test.connector.execution"].create({"job_id": job.id})
        return {"created": 1}

    def _job_fail_object_access(self, job):
        raise PermissionDeniedError("the token may not see object 42", status=401)

    def _connector_check_credentials(self):
        return self._connector_secret("api_token") not in (None, REFUSED_TOKEN)

    def action_check_platform(self):
        """A button calling the platform, as a connector's "Test connection" does."""
        with self._connector_button_call():
            if self._connector_check_credentials() is False:
                raise AuthenticationError("the platform refused the token", status=401)
        return True

    def _job_leak_secret(self, job):
        token = self._connector_secret("api_token")
        raise ServerError(f"GET /me?token={token} failed; Authorization: Bearer {token}")
