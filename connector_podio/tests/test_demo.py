from odoo.addons.connector_podio.tests.emulator import DemoPages, text_value

from .common import PodioCase


class TestDemo(PodioCase):
    def test_the_demo_setup_links_the_sample_app_and_contacts_arrive_with_no_job_failing(self):
        DemoPages(self.podio)

        lines = self.env["podio.backend"]._connector_demo_setup(
            self.podio.base_url, public_base_url=self.base_url()
        )
        self.run_jobs()
        self.verify_hooks()
        self.podio.update_item(self.sample_item("Carla Mendes"), {"title": text_value("Carla Mendes Lda")})
        self.deliver()
        self.run_jobs()

        self.assertIn("apps linked: Leads & Clients", lines[1])
        demo = self.env["podio.backend"].search([("api_url", "=", self.podio.base_url)])
        self.assertIn("organisation(s)", demo.connected_as, "the form says what the demo signed in to")
        self.assertEqual(self.partner_of(self.sample_item("Carla Mendes Lda")).name, "Carla Mendes Lda")
        self.assertFalse(self.jobs(state="failed"))

    def test_the_demo_set_up_again_links_nothing_twice_and_fails_nothing(self):
        DemoPages(self.podio)
        Backend = self.env["podio.backend"]
        Backend._connector_demo_setup(self.podio.base_url, public_base_url=self.base_url())
        self.run_jobs()

        Backend._connector_demo_setup(self.podio.base_url, public_base_url=self.base_url())
        self.run_jobs()

        self.assertEqual(len(self.backend.app_ids), 1)
        self.assertEqual(len(self.podio.hooks), 3)
        self.assertEqual(
            len(self.env["connector.external.binding"]._of_external_ids(self.backend, "item")), 3
        )
        self.assertFalse(self.jobs(state="failed"))
