from datetime import timedelta

from odoo import fields, models

from odoo.addons.connector_base.lib.dates import UTC
from odoo.addons.connector_base.lib.sync import content_hash

from .sprout_backend_metadata import PROFILE
from .sprout_backend_polling import MESSAGE


class SproutBackendReconcile(models.Model):
    """The base's daily reconciliation for Sprout: the profiles, and the messages created in
    the last days on the synced profiles, compared with what Odoo holds (hashed as the imports
    hash what they write). Older messages are not compared: Sprout's messages endpoint reads
    by creation window."""

    _inherit = "sprout.backend"  # pylint: disable=consider-merging-classes-inherited

    reconcile_days = fields.Integer(
        string="Reconcile messages of (days)",
        default=3,
        help="The daily comparison with Sprout covers the messages created in these last days.",
    )

    def _reconcile_types(self):
        return [PROFILE, MESSAGE]

    def _sprout_reconcile_window(self):
        """[start, end) of the messages compared, naive UTC, from the reconciliation's start."""
        end = self.env.context.get("connector_reconcile_at") or fields.Datetime.now()
        return end - timedelta(days=max(self.reconcile_days, 1)), end

    def _reconcile_snapshot(self, external_type):
        if external_type == PROFILE:
            with self._sprout_session() as client:
                profiles = client.profiles()
            for external_id, values in self._sprout_profile_items(profiles).items():
                yield external_id, content_hash({"backend_id": self.id, **values})
            return
        start, end = (moment.replace(tzinfo=UTC) for moment in self._sprout_reconcile_window())
        with self._sprout_session() as client:
            for group in self._sprout_polled_groups():
                profile_ids = self._sprout_polled_profiles(group).mapped("profile_id")
                for page in client.messages_created(group.group_id, profile_ids, start, end):
                    for item in self._sprout_message_items(page):
                        yield item["external_id"], content_hash(item["values"])

    def _reconcile_scope(self, external_type):
        if external_type != MESSAGE:
            return None
        start, end = self._sprout_reconcile_window()
        profiles = self.profile_ids.filtered("sync_messages")
        messages = self.env["sprout.message"].search(
            [
                ("backend_id", "=", self.id),
                ("profile_id", "in", profiles.ids),
                ("created_time", ">=", start),
                ("created_time", "<", end),
            ]
        )
        return messages.mapped("guid")

    def _job_import_record(self, job):
        """Re-import of a reconciliation difference: a profile reads the metadata again, a
        message is read by its guid."""
        if job.payload["external_type"] == PROFILE:
            return self._job_sync_metadata(job)
        with self._sprout_session() as client:
            messages = [
                message for page in client.messages_by_guid([job.payload["external_id"]]) for message in page
            ]
        return self._sprout_import_messages(messages)
