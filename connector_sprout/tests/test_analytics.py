from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from odoo.addons.connector_sprout.tests.emulator import UTC, DemoPages

from .common import SproutCase

PROFILES = "/v1/{customer_id}/analytics/profiles"
POSTS = "/v1/{customer_id}/analytics/posts"


class TestAnalytics(SproutCase):
    def setUp(self):
        super().setUp()
        self.sync_metadata()
        self.tick("ACME", "ACME Lisboa", "ACME Portugal")
        self.backend.analytics_days = 3

    def import_analytics(self):
        self.backend._sprout_enqueue_analytics()
        return self.run_jobs()

    def metrics(self):
        return self.env["sprout.profile.metric"].search([("backend_id", "=", self.backend.id)])

    def posts(self):
        return self.env["sprout.post"].search([("backend_id", "=", self.backend.id)])

    @staticmethod
    def snapshot(records, names):
        return sorted(tuple(str(record[name]) for name in names) for record in records)

    def test_analytics_imported_twice_give_the_same_records(self):
        self.import_analytics()
        metrics, posts = self.metrics(), self.posts()
        first = self.snapshot(metrics, ["profile_id", "day", "metric", "value", "write_date"])
        first_posts = self.snapshot(posts, ["guid", "impressions", "likes", "write_date"])

        self.import_analytics()

        self.assertEqual(self.metrics(), metrics)
        self.assertEqual(
            self.snapshot(self.metrics(), ["profile_id", "day", "metric", "value", "write_date"]), first
        )
        self.assertEqual(self.posts(), posts)
        self.assertEqual(
            self.snapshot(self.posts(), ["guid", "impressions", "likes", "write_date"]), first_posts
        )
        self.assertEqual(len(metrics), 3 * 3 * 2, "3 profiles x 3 days x impressions and reactions")
        self.assertEqual(len(posts), 6)
        self.assertFalse(self.jobs(state="failed"))

    def test_a_day_imported_again_takes_sprouts_new_values(self):
        self.import_analytics()
        linkedin = self.sample["profiles"]["ACME Portugal"]
        today = datetime.now(UTC).date()
        self.sprout.profile_metrics[(linkedin, today.isoformat(), "impressions")] = 4242
        post = next(post for post in self.sprout.posts if post["customer_profile_id"] == linkedin)
        post["metrics"]["lifetime.likes"] = 77

        self.import_analytics()

        cell = self.metrics().filtered(
            lambda m: (
                m.profile_id.profile_id == str(linkedin) and m.day == today and m.metric == "impressions"
            )
        )
        self.assertEqual(cell.value, 4242)
        self.assertEqual(len(self.metrics()), 18)
        self.assertEqual(self.posts().filtered(lambda p: p.guid == post["guid"]).likes, 77)

    def test_each_network_has_its_own_days_and_chosen_metrics(self):
        self.env["sprout.network.metrics"].create(
            {
                "backend_id": self.backend.id,
                "network": "instagram",
                "metric_names": "impressions, video_views",
            }
        )

        self.import_analytics()

        instagram = self.metrics().filtered(lambda m: m.profile_id.name == "ACME")
        linkedin = self.metrics().filtered(lambda m: m.profile_id.name == "ACME Portugal")
        self.assertEqual(set(instagram.mapped("metric")), {"impressions", "video_views"})
        self.assertEqual(set(linkedin.mapped("metric")), {"impressions", "reactions"})
        pacific_today = datetime.now(ZoneInfo("America/Los_Angeles")).date()
        self.assertEqual(max(instagram.mapped("day")), pacific_today)
        self.assertEqual(min(instagram.mapped("day")), pacific_today - timedelta(days=2))
        self.assertEqual(max(linkedin.mapped("day")), datetime.now(UTC).date())
        bodies = [request.json for request in self.sprout.requests if request.route == PROFILES]
        self.assertEqual(len(bodies), 2, "one request per zone and metric choice")

    def test_post_metrics_are_stored_in_utc(self):
        self.import_analytics()

        post = self.sprout.posts[0]
        record = self.posts().filtered(lambda p: p.guid == post["guid"])
        self.assertEqual(record.created_time, post["_created"].astimezone(UTC).replace(tzinfo=None))
        self.assertEqual(record.impressions, post["metrics"]["lifetime.impressions"])
        self.assertEqual(record.profile_id.profile_id, str(post["customer_profile_id"]))

    def test_ids_sent_as_strings_are_the_same_profiles(self):
        self.sprout.string_ids = True

        self.import_analytics()

        self.assertEqual(len(self.metrics()), 18)
        self.assertTrue(all(self.posts().mapped("profile_id")))

    def test_a_504_shrinks_the_request_and_nothing_is_lost(self):
        # Sprout times out on a query of more than two profile-days: one profile, two days.
        self.sprout.timeout_above = 2

        self.import_analytics()

        self.assertEqual(len(self.metrics()), 18)
        self.assertEqual(len(self.posts()), 6)
        self.assertTrue(self.sprout.timed_out, "Sprout timed out on the first, whole, requests")
        bodies = [request.json for request in self.sprout.requests if request.route in (PROFILES, POSTS)]
        self.assertEqual(
            len(bodies) - len(self.sprout.timed_out),
            3 * 2 + 3 * 4,
            "what passed: one profile, at most two days each",
        )
        job = self.jobs(method_name="_job_import_profile_analytics")
        self.assertEqual(job.state, "done")
        self.assertIn("smaller parts", job.result_summary)

    def test_the_cron_queues_analytics_and_calls_nothing(self):
        calls = len(self.sprout.requests)

        self.env["sprout.backend"]._cron_sprout_analytics()
        self.env["sprout.backend"]._cron_sprout_analytics()

        self.assertEqual(len(self.sprout.requests), calls)
        self.assertEqual(len(self.jobs(method_name="_job_import_profile_analytics", state="pending")), 1)
        self.assertEqual(len(self.jobs(method_name="_job_import_post_analytics", state="pending")), 1)


class TestAnalyticsDemo(SproutCase):
    def test_the_demo_brings_analytics_without_a_failed_job(self):
        DemoPages(self.sprout)
        self.backend.unlink()

        self.env["sprout.backend"]._connector_demo_setup(self.sprout.base_url)
        self.backend = self.env["sprout.backend"].search([("api_url", "=", self.sprout.base_url)])
        self.run_jobs()

        metrics = self.env["sprout.profile.metric"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(len(metrics), 3 * 3 * 2, "three profiles, three days, two metrics")
        self.assertEqual(self.env["sprout.post"].search_count([("backend_id", "=", self.backend.id)]), 6)
        self.assertFalse(self.jobs(state="failed"))
