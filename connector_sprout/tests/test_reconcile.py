from datetime import datetime, timedelta

from odoo.addons.connector_sprout.tests.emulator import UTC

from .common import SproutCase


class TestReconciliation(SproutCase):
    def setUp(self):
        super().setUp()
        self.sync_metadata()
        self.tick("ACME")
        self.backend.first_poll_days = 30
        # An old message, imported by the first poll but outside the compared days.
        self.old = self.sprout.add_message(
            4921,
            "Last month's question",
            created_time=datetime.now(UTC).replace(microsecond=0) - timedelta(days=20),
        )
        self.poll()

    def reconcile(self, external_type):
        job = self.backend._connector_enqueue(
            "_job_reconcile", {"external_type": external_type}, kind="reconcile"
        )
        return self.backend._job_reconcile(job)

    def differences(self, external_type):
        return self.env["connector.reconcile.difference"].search(
            [
                ("backend_model", "=", "sprout.backend"),
                ("backend_id", "=", self.backend.id),
                ("external_type", "=", external_type),
                ("state", "=", "open"),
            ]
        )

    def test_messages_and_profiles_in_step_show_no_difference(self):
        self.assertEqual(self.backend._reconcile_types(), ["profile", "message"])

        self.reconcile("message")
        self.reconcile("profile")

        self.assertFalse(self.differences("message"))
        self.assertFalse(self.differences("profile"))

    def test_messages_of_the_last_days_that_differ_are_listed(self):
        shown = [m for m in self.sprout.messages if m["customer_profile_id"] == 4921 and m is not self.old]
        shown[0]["text"] = "Edited on the platform"
        self.sprout.messages.remove(shown[1])
        late = self.sprout.add_message(
            4921,
            "Not polled yet",
            author=("Rui", "rui.m"),
            created_time=datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1),
        )
        self.sprout.messages.remove(self.old)  # outside the days compared: not reported

        self.reconcile("message")

        found = {(d.external_id, d.kind) for d in self.differences("message")}
        self.assertEqual(
            found,
            {
                (shown[0]["guid"], "content"),
                (shown[1]["guid"], "missing_on_platform"),
                (late["guid"], "missing_in_odoo"),
            },
        )

        self.differences("message").filtered(lambda d: d.kind != "missing_on_platform").action_reimport()
        self.run_jobs()
        self.assertEqual(
            self.messages().filtered(lambda m: m.guid == shown[0]["guid"]).text, "Edited on the platform"
        )
        self.assertTrue(self.messages().filtered(lambda m: m.guid == late["guid"]))
        self.reconcile("message")
        self.assertEqual(
            {(d.external_id, d.kind) for d in self.differences("message")},
            {(shown[1]["guid"], "missing_on_platform")},
        )

    def test_a_profile_renamed_in_sprout_is_listed(self):
        self.sprout.profile(4921)["name"] = "ACME Portugal Store"

        self.reconcile("profile")

        [difference] = self.differences("profile")
        self.assertEqual((difference.external_id, difference.kind), ("4921", "content"))
        difference.action_reimport()
        self.run_jobs()
        self.assertEqual(
            self.backend.profile_ids.filtered(lambda p: p.profile_id == "4921").name, "ACME Portugal Store"
        )
