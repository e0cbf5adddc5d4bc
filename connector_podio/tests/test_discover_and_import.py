from odoo.addons.connector_podio.tests.emulator import email_values, load_sales_sample, text_value

from .common import PodioCase


class TestDiscoverAndImport(PodioCase):
    def setUp(self):
        super().setUp()
        self.connect()

    def test_discover_lists_organisations_workspaces_and_apps_with_names_unescaped(self):
        wizard = self.env["podio.app.link"].with_context(default_backend_id=self.backend.id).create({})

        self.assertEqual(
            [(line.org_name, line.space_name, line.name, line.item_name) for line in wizard.line_ids],
            [("Demo Org", "Sales", "Leads & Clients", "Contact")],
        )

    def test_a_linked_contacts_app_imports_its_items_into_partners(self):
        app = self.link_app()

        self.assertEqual(
            (app.name, app.odoo_model, app.direction), ("Leads & Clients", "res.partner", "import")
        )
        self.assertFalse(self.jobs(state="failed"))
        ana = self.partner_of(self.sample_item("Ana Silva"))
        self.assertEqual(
            (ana.name, ana.company_name, ana.email, ana.mobile, ana.phone, ana.street, ana.zip, ana.city),
            (
                "Ana Silva",
                "Acme & Sons",
                "ana.silva@acme.example",
                "+351 912 345 678",
                "+351 213 000 111",
                "Rua Augusta 1",
                "1100-048",
                "Lisboa",
            ),
        )
        self.assertEqual(
            len(self.env["connector.external.binding"]._of_external_ids(self.backend, "item")), 3
        )
        self.assertTrue(app.last_import_at and app.last_edit_seen)
        self.assertEqual(self.podio.viewed, set())  # reading never marked a notification as viewed

    def test_an_import_again_changes_nothing_that_did_not_change(self):
        app = self.link_app()
        partners = self.env["res.partner"].search_count([])

        app.action_import()
        [job] = self.jobs(method_name="_job_import_app", state="pending")
        self.run_jobs()

        self.assertEqual(job.state, "done")
        self.assertEqual(self.env["res.partner"].search_count([]), partners)
        self.assertIn("3 unchanged", job.result_summary)

    def test_an_existing_partner_with_the_email_is_bound_not_duplicated(self):
        existing = self.env["res.partner"].create({"name": "A. Silva", "email": "ANA.SILVA@acme.example"})

        self.link_app()

        self.assertEqual(self.partner_of(self.sample_item("Ana Silva")), existing)
        self.assertEqual(existing.name, "Ana Silva")
        self.assertEqual(
            self.env["res.partner"].search_count([("email", "=ilike", "ana.silva@acme.example")]), 1
        )

    def test_an_existing_partner_with_the_name_and_company_is_bound_when_no_email_matches(self):
        existing = self.env["res.partner"].create({"name": "bruno costa", "company_name": "ACME & Sons"})

        self.link_app()

        self.assertEqual(self.partner_of(self.sample_item("Bruno Costa")), existing)
        self.assertEqual(existing.email, "bruno.costa@acme.example")

    def test_a_second_item_of_the_same_contact_creates_no_partner_and_waits_for_a_person(self):
        twin = self.podio.add_item(
            self.app_id,
            {"title": text_value("Carla M."), "email": email_values(("work", "carla@mendes.example"))},
        )

        self.link_app()

        carla = self.partner_of(self.sample_item("Carla Mendes"))
        self.assertTrue(carla)
        self.assertFalse(self.partner_of(twin))
        self.assertEqual(self.env["res.partner"].search_count([("email", "=", "carla@mendes.example")]), 1)
        [entry] = self.backend._connector_quarantined("item")
        self.assertEqual(entry.external_id, str(twin))
        self.assertIn(carla.name, entry.error_message)

    def test_an_item_the_mappings_refuse_is_quarantined_and_the_rest_imported(self):
        item_id = self.podio.add_item(self.app_id, {"email": email_values(("work", "no.name@example.com"))})

        self.link_app()

        [entry] = self.backend._connector_quarantined("item")
        self.assertEqual(entry.external_id, str(item_id))
        self.assertFalse(self.partner_of(item_id))
        self.assertTrue(self.partner_of(self.sample_item("Ana Silva")))

    def test_contacts_get_their_company_partner_when_the_backend_says_so(self):
        existing = self.env["res.partner"].create({"name": "ACME & SONS", "is_company": True})
        self.backend.contact_company = "partner"

        self.link_app()

        ana, bruno = (self.partner_of(self.sample_item(name)) for name in ("Ana Silva", "Bruno Costa"))
        self.assertEqual((ana.parent_id, bruno.parent_id), (existing, existing))
        self.assertEqual(self.env["res.partner"].search_count([("name", "=ilike", "acme & sons")]), 1)
        self.assertFalse(self.partner_of(self.sample_item("Carla Mendes")).parent_id)

    def test_a_company_partner_is_created_once_for_its_contacts(self):
        self.backend.contact_company = "partner"

        self.link_app()

        ana, bruno = (self.partner_of(self.sample_item(name)) for name in ("Ana Silva", "Bruno Costa"))
        self.assertTrue(ana.parent_id.is_company)
        self.assertEqual(ana.parent_id, bruno.parent_id)
        self.assertEqual(ana.parent_id.name, "Acme & Sons")
        self.assertFalse(self.jobs(state="failed"))

    def test_each_app_chosen_may_feed_its_own_model(self):
        sales_app_id, lines_app_id = load_sales_sample(self.podio, self.app_id)
        wizard = self.env["podio.app.link"].with_context(default_backend_id=self.backend.id).create({})
        for line in wizard.line_ids:
            line.selected = True
            line.odoo_model = {str(sales_app_id): "sale.order", str(lines_app_id): "sale.order.line"}.get(
                line.external_id
            )

        wizard.action_link()

        self.assertEqual(
            {app.name: app.odoo_model for app in self.backend.app_ids},
            {
                "Leads & Clients": "res.partner",
                "Sales & Orders": "sale.order",
                "Order lines": "sale.order.line",
            },
        )
