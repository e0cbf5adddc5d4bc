from .common import PodioCase


class TestCreateItems(PodioCase):
    """Partners made in Odoo becoming items of the app that creates them, once each."""

    def setUp(self):
        super().setUp()
        self.connect()
        self.app = self.link_app()
        self.app.write({"direction": "both", "create_items": True})
        self.verify_hooks()

    def posts(self):
        return [
            entry
            for entry in self.podio.requests
            if entry.method == "POST" and entry.route == "/item/app/{app_id}/"
        ]

    def test_a_partner_created_in_odoo_becomes_an_item_carrying_its_external_id(self):
        partner = self.env["res.partner"].create(
            {"name": "Zoe Zimmer", "email": "zoe@example.com", "mobile": "+351 911 111 111"}
        )
        self.run_jobs()

        [binding] = partner._connector_bindings(self.backend, "item")
        item = self.podio.items[int(binding.external_id)]
        self.assertTrue(item["external_id"].startswith(f"odoo-res-partner-{partner.id}-"))
        self.assertEqual(item["_values"]["title"], [{"value": "Zoe Zimmer"}])
        self.assertEqual(item["_values"]["email"], [{"type": "work", "value": "zoe@example.com"}])
        self.assertEqual(item["_values"]["phone"], [{"type": "mobile", "value": "+351 911 111 111"}])
        self.assertFalse(self.jobs(state="failed"))

    def test_the_create_hook_of_our_item_is_dropped_and_a_later_change_exports(self):
        partner = self.env["res.partner"].create({"name": "Zoe Zimmer"})
        self.run_jobs()
        self.assertEqual(self.deliver(), [200])
        [event] = self.run_jobs()
        self.assertIn("already synced", event.result_summary)

        partner.email = "zoe@example.com"
        self.run_jobs()

        item_id = int(partner._connector_bindings(self.backend, "item").external_id)
        self.assertEqual(
            self.podio.items[item_id]["_values"]["email"], [{"type": "work", "value": "zoe@example.com"}]
        )
        self.assertEqual(len(self.posts()), 1)

    def test_an_item_a_retry_finds_by_its_external_id_is_bound_instead_of_made_again(self):
        partner = self.env["res.partner"].create({"name": "Zoe Zimmer"})
        [job] = self.jobs(method_name="_job_create_item")
        # An earlier attempt created the item and died before its transaction committed.
        token = self.env["connector.create.intent"].sudo()._open(self.backend, "item", partner)[0]
        item_id = self.podio.add_item(
            self.app_id,
            {"title": [{"value": "Zoe Zimmer"}]},
            external_id=f"odoo-res-partner-{partner.id}-{token}",
        )

        self.run_jobs()

        self.assertEqual(job.state, "done")
        self.assertEqual(partner._connector_bindings(self.backend, "item").external_id, str(item_id))
        self.assertEqual(self.posts(), [], "no second item")

    def test_only_apps_linked_both_ways_and_creating_items_create_them(self):
        self.app.create_items = False

        self.env["res.partner"].create({"name": "Zoe Zimmer"})

        self.assertFalse(self.jobs(method_name="_job_create_item"))

    def test_partners_the_connector_imports_create_no_item(self):
        self.podio.add_item(self.app_id, {"title": [{"value": "Yara Young"}]})
        self.deliver()
        self.run_jobs()

        self.assertFalse(self.jobs(method_name="_job_create_item"))
        self.assertEqual(self.posts(), [])
