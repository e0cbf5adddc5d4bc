from datetime import timedelta

from odoo import fields

from odoo.addons.connector_podio.tests.emulator import text_value

from .common import PodioCase


class TestPollingAndLimits(PodioCase):
    def setUp(self):
        super().setUp()
        self.connect()

    def test_a_poll_finds_an_item_edited_without_a_hook_and_applies_it(self):
        app = self.link_app()
        item_id = self.sample_item("Bruno Costa")
        self.podio.update_item(
            item_id, {"title": text_value("Bruno Costa Jr.")}, when=fields.Datetime.now() + timedelta(hours=1)
        )

        self.backend._connector_poll_container(app.app_id)
        self.run_jobs()

        self.assertEqual(self.partner_of(item_id).name, "Bruno Costa Jr.")
        self.assertFalse(self.jobs(state="failed"))

    def test_a_poll_with_nothing_new_makes_one_call_and_moves_nothing(self):
        app = self.link_app()
        self.backend._connector_poll_container(app.app_id)  # re-reads what the import's skew covers
        self.run_jobs()
        cursor = self.backend._connector_poll_cursor(app.app_id)
        self.podio.reset()

        self.backend._connector_poll_container(app.app_id)

        self.assertEqual(self.podio.count(route="/item/app/{app_id}/filter/"), 1)
        self.assertEqual(self.backend._connector_poll_cursor(app.app_id), cursor)
        self.assertFalse(self.jobs(method_name="_job_item_event", state="pending"))

    def test_the_poll_cron_queues_one_poll_per_linked_app(self):
        app = self.link_app()

        self.env["podio.backend"]._cron_connector_poll()

        [poll] = self.jobs(method_name="_job_poll", state="pending")
        self.assertEqual(poll.payload["container"], app.app_id)

    def test_a_420_waits_the_configured_interval_and_loses_nothing(self):
        self.backend.rate_limit_backoff = 600
        self.podio.fail_next(420, route="/item/app/{app_id}/filter/")

        self.link_app()

        [job] = self.jobs(method_name="_job_import_app")
        self.assertEqual(job.state, "pending")
        wait = (job.next_attempt_at - fields.Datetime.now()).total_seconds()
        self.assertGreater(wait, 500)
        self.assertFalse(self.env["connector.external.binding"]._of_external_ids(self.backend, "item"))

        job.next_attempt_at = fields.Datetime.now()
        self.run_jobs()

        self.assertEqual(job.state, "done")
        self.assertEqual(
            len(self.env["connector.external.binding"]._of_external_ids(self.backend, "item")), 3
        )

    def test_a_5xx_is_retried_and_loses_nothing(self):
        self.podio.fail_next(500, route="/item/app/{app_id}/filter/")

        self.link_app()
        [job] = self.jobs(method_name="_job_import_app")
        self.assertEqual(job.state, "pending")
        job.next_attempt_at = fields.Datetime.now()
        self.run_jobs()

        self.assertEqual(job.state, "done")
        self.assertEqual(
            len(self.env["connector.external.binding"]._of_external_ids(self.backend, "item")), 3
        )
