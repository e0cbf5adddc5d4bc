from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models

from odoo.addons.connector_base.lib.shrink import shrinking

from ..lib import analytics
from ..lib.client import now_utc
from ..lib.filters import split_profiles_or_period

PROFILE_METRIC, POST = "profile_metric", "post"


class SproutBackendAnalytics(models.Model):
    """Analytics of the synced profiles, imported in jobs a cron queues: each profile's daily
    metrics for the last days (each network's own days; re-read because Sprout completes
    them late) and the lifetime metrics of the posts of the last days (they keep growing).
    Both are upserted: importing a day or a post again replaces its values, and what did not
    change is not written. A query Sprout times out on (504) is asked in smaller parts."""

    _inherit = "sprout.backend"  # pylint: disable=consider-merging-classes-inherited

    sync_analytics = fields.Boolean(
        string="Import analytics",
        default=True,
        help="Daily profile metrics and post metrics of the synced profiles.",
    )
    analytics_days = fields.Integer(
        string="Profile metrics for (days)",
        default=3,
        help="Each import reads this many days again, today included, in each network's own days.",
    )
    post_analytics_days = fields.Integer(
        string="Post metrics for (days)",
        default=7,
        help="The posts published in these last days have their lifetime metrics read again.",
    )
    network_metrics_ids = fields.One2many(
        "sprout.network.metrics", "backend_id", string="Metrics per network"
    )

    def _sprout_analytics_profiles(self):
        return self.profile_ids.filtered(lambda profile: profile.sync_messages and profile.active)

    @api.model
    def _cron_sprout_analytics(self):
        for backend in self._connector_pollable_backends().filtered("sync_analytics"):
            backend._sprout_enqueue_analytics()

    def _sprout_enqueue_analytics(self):
        for backend in self:
            backend._connector_enqueue(
                "_job_import_profile_analytics",
                name=self.env._("Import daily profile metrics of %(backend)s", backend=backend.display_name),
                object_type=PROFILE_METRIC,
                identity_key="analytics:profiles",
            )
            backend._connector_enqueue(
                "_job_import_post_analytics",
                name=self.env._("Import post metrics of %(backend)s", backend=backend.display_name),
                object_type=POST,
                identity_key="analytics:posts",
            )

    # ------------------------------------------------------------------ profile metrics
    def _sprout_metric_batches(self, profiles):
        """{(zone, metric names): profiles}: one query set per time zone and metric choice."""
        chosen = self.env["sprout.network.metrics"]._metrics_by_network(self)
        batches = defaultdict(lambda: self.env["sprout.profile"])
        for profile in profiles:
            metrics = chosen.get(profile.network) or analytics.DEFAULT_PROFILE_METRICS
            batches[(analytics.network_zone(profile.network), metrics)] |= profile
        return batches

    def _job_import_profile_analytics(self, job):
        profiles = self._sprout_analytics_profiles()
        by_id = {profile.profile_id: profile for profile in profiles}
        now, splits, rows = now_utc(), [], []
        with self._sprout_session() as client:
            for (_zone, metrics), batch in self._sprout_metric_batches(profiles).items():
                first, last = analytics.metric_days(batch[0].network, self.analytics_days, now)
                for query in analytics.profile_queries(batch.mapped("profile_id"), first, last):
                    rows += shrinking(
                        lambda q, metrics=metrics: client.profile_analytics(*q, metrics),
                        query,
                        analytics.split_profile_query,
                        on_split=lambda query, parts: splits.append(query),
                    )
        items = []
        for row in rows:
            for profile_id, day, metric, value in analytics.profile_metric_rows(row):
                if profile_id not in by_id:
                    continue
                items.append(
                    {
                        "external_id": f"{profile_id}:{day.isoformat()}:{metric}",
                        "values": {
                            "backend_id": self.id,
                            "profile_id": by_id[profile_id].id,
                            "day": day,
                            "metric": metric,
                            "value": value,
                        },
                    }
                )
        result = self.env["sprout.profile.metric"]._connector_upsert(self, PROFILE_METRIC, items)
        return self._sprout_analytics_result(result, len(profiles), splits)

    # ------------------------------------------------------------------ post metrics
    def _job_import_post_analytics(self, job):
        profiles = self._sprout_analytics_profiles()
        by_id = {profile.profile_id: profile for profile in profiles}
        end = now_utc()
        start = end - timedelta(days=self.post_analytics_days)
        ids = profiles.mapped("profile_id")
        splits, rows = [], []
        with self._sprout_session() as client:
            for index in range(0, len(ids), analytics.MAX_PROFILES):
                rows += shrinking(
                    lambda q: client.post_analytics(*q),
                    (ids[index : index + analytics.MAX_PROFILES], start, end),
                    split_profiles_or_period,
                    on_split=lambda query, parts: splits.append(query),
                )
        items = []
        for row in rows:
            values = analytics.post_values(row)
            profile = by_id.get(values.pop("profile_id"))
            items.append(
                {
                    "external_id": values["guid"],
                    "values": {
                        **values,
                        "backend_id": self.id,
                        "profile_id": profile.id if profile else False,
                    },
                }
            )
        result = self.env["sprout.post"]._connector_upsert(self, POST, items)
        return self._sprout_analytics_result(result, len(profiles), splits)

    def _sprout_analytics_result(self, result, profile_count, splits):
        summary = self.env._(
            "%(profiles)s profile(s): %(created)s new, %(updated)s updated, %(skipped)s unchanged.",
            profiles=profile_count,
            created=result.created,
            updated=result.updated,
            skipped=result.skipped,
        )
        if splits:
            summary += " " + self.env._(
                "Sprout timed out on %(count)s request(s), asked again in smaller parts.", count=len(splits)
            )
        return {**result.as_job_result(), "summary": summary}

    def action_import_analytics(self):
        self._sprout_enqueue_analytics()
        return True

    def action_view_profile_metrics(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "connector_sprout.action_sprout_profile_metric"
        )
        action["domain"] = [("backend_id", "in", self.ids)]
        return action

    def action_view_posts(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("connector_sprout.action_sprout_post")
        action["domain"] = [("backend_id", "in", self.ids)]
        return action
