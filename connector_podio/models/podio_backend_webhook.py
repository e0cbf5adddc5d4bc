from odoo import models
from odoo.tools import SQL

from odoo.addons.connector_base.lib import webhook
from odoo.addons.connector_base.lib.polling import Polled, PolledEvent

from ..lib.client import filter_time, parse_podio_time
from ..lib.mapper import last_edit

ITEM_EVENTS = frozenset({"item.create", "item.update", "item.delete"})


class PodioBackendWebhook(models.Model):
    """Podio's hook deliveries and the polls under them. Podio signs nothing: the hook URL
    carries the backend's secret (checked by the controller before anything else), the
    ``hook_id`` must be one of the backend's hooks, and every item is read again."""

    _inherit = "podio.backend"  # pylint: disable=consider-merging-classes-inherited

    _webhook_route = "/connector/podio/hook/{backend_id}"
    _webhook_secret_field = "hook_path_secret"
    _webhook_job_method = "_job_item_event"

    def _webhook_handshake(self, payload, headers):
        """``hook.verify``: answered at once, the code sent back to Podio by a job."""
        if payload.get("type") != "hook.verify":
            return None
        self._connector_enqueue(
            "_job_validate_hook",
            {"hook_id": str(payload.get("hook_id") or ""), "code": str(payload.get("code") or "")},
            kind="webhook",
            name=self.env._("Verify Podio hook %(hook)s", hook=payload.get("hook_id")),
            identity_key=f"verify:{payload.get('hook_id')}:{payload.get('code')}",
        )
        return webhook.Answer(200, "verification received")

    def _webhook_verify_signature(self, raw_body, headers, url):
        """No signature to check: the delivery must name one of this backend's hooks."""
        hook_id = webhook.parse_body(raw_body, headers.get("Content-Type")).get("hook_id")
        return bool(hook_id) and self._podio_delivery_hook(hook_id)[0]

    def _podio_delivery_hook(self, hook_id):
        """(whether ``hook_id`` is one of this backend's hooks, the Podio id of its app), read
        once per transaction in one query: a delivery asks when checking it came from Podio
        and again for its job's values, which looked the hook up twice and read its app in
        two more queries."""
        self.ensure_one()
        known = self.env.cr.precommit.data.setdefault("connector_podio.delivery_hooks", {})
        key = (self.id, str(hook_id))
        if key not in known:
            self.env["podio.hook"].flush_model(["backend_id", "hook_id", "app_link_id"])
            self.env["podio.app"].flush_model(["app_id"])
            self.env.cr.execute(
                SQL(
                    """SELECT app.app_id FROM podio_hook hook JOIN podio_app app ON app.id = hook.app_link_id
                        WHERE hook.backend_id = %s AND hook.hook_id = %s""",
                    self.id,
                    key[1],
                )
            )
            row = self.env.cr.fetchone()
            known[key] = (row is not None, row and row[0])
        return known[key]

    def _webhook_event_id(self, payload):
        """An item event is one revision of one item: a redelivery is dropped."""
        return f"{payload.get('type')}:{payload.get('item_id')}:{payload.get('item_revision_id')}"

    def _webhook_job_values(self, payload, event_id):
        if payload.get("type") not in ITEM_EVENTS or not payload.get("item_id"):
            return []
        _known, app_id = self._podio_delivery_hook(payload.get("hook_id"))
        return [self._podio_item_job(payload.get("type"), str(payload["item_id"]), app_id)]

    def _podio_item_job(self, event_type, item_id, app_id):
        """The job applying an event of ``item_id``, an item of ``app_id`` (where its hook or
        poll says: the job reads the item again all the same)."""
        return self._connector_job_values(
            "_job_item_event",
            {"type": event_type, "item_id": item_id, "app_id": app_id or None},
            kind="webhook",
            name=self.env._("Apply %(event)s to Podio item %(item)s", event=event_type, item=item_id),
            object_type="item",
            external_id=item_id,
        )

    # ------------------------------------------------------------------ polling
    # The safety net under hooks, run by the base's poll jobs (cron ir_cron_poll_apps).
    def _connector_poll_containers(self):
        return {app.app_id: app.name for app in self.app_ids if app.active and app.last_import_at}

    def _connector_poll(self, container, cursor):
        """The app's items edited since the cursor (a Podio time, inclusive), oldest first:
        one call when nothing changed. Each is one event per revision, so an item seen again
        at the cursor's second is not applied twice."""
        since = parse_podio_time(cursor) if cursor else None
        with self._podio_session() as client:
            items = [item for page in client.iter_item_pages(container, edited_since=since) for item in page]
        if not items:
            return Polled(cursor=None)
        newest = max(last_edit(item) for item in items)
        events = tuple(
            PolledEvent(
                f"poll:{item['item_id']}:{(item.get('current_revision') or {}).get('revision')}",
                {"type": "item.update", "item_id": str(item["item_id"]), "app_id": container},
            )
            for item in items
        )
        moved = since is None or newest > since
        return Polled(cursor=filter_time(newest) if moved else None, events=events)

    def _connector_poll_job_values(self, payload, event_id):
        return [self._podio_item_job(payload["type"], payload["item_id"], payload.get("app_id"))]
