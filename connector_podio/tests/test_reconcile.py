from odoo.addons.connector_podio.tests.emulator import CONTACT_FIELDS, text_value

from .common import PodioCase


class TestReconcile(PodioCase):
    """The daily reconciliation covers the items of every linked app."""

    def setUp(self):
        super().setUp()
        space_id = next(iter(self.podio.spaces))
        self.suppliers_id = self.podio.add_app(space_id, "Suppliers", "Supplier", CONTACT_FIELDS)
        self.podio.add_item(self.suppliers_id, {"title": text_value("Sara Santos")})
        self.connect()
        wizard = self.env["podio.app.link"].with_context(default_backend_id=self.backend.id).create({})
        wizard.line_ids.selected = True
        wizard.action_link()
        self.run_jobs()
        self.backend.app_ids.direction = "both"
        self.podio.outbox.clear()  # hooks left unverified: the reconciliation is what finds the changes

    def reconcile(self):
        self.backend._connector_enqueue("_job_reconcile", {"external_type": "item"}, kind="reconcile")
        self.run_jobs()
        differences = self.env["connector.reconcile.difference"].search(
            [
                ("backend_model", "=", "podio.backend"),
                ("backend_id", "=", self.backend.id),
                ("state", "=", "open"),
            ]
        )
        return {(difference.external_id, difference.kind) for difference in differences}

    def test_every_linked_app_is_compared_and_our_own_writes_are_not_differences(self):
        self.assertEqual(len(self.backend.app_ids), 2)
        self.assertEqual(self.reconcile(), set(), "in step after the import")

        new_supplier = self.podio.add_item(self.suppliers_id, {"title": text_value("Tiago Torres")})
        self.podio.update_item(self.sample_item("Bruno Costa"), {"title": text_value("Bruno C.")})
        carla = self.sample_item("Carla Mendes")
        self.podio.delete_item(carla)
        self.partner_of(self.sample_item("Ana Silva")).name = "Ana Sousa"  # exported: our own revision
        self.run_jobs()

        self.assertEqual(
            self.reconcile(),
            {
                (str(new_supplier), "missing_in_odoo"),
                (str(self.sample_item("Bruno C.")), "content"),
                (str(carla), "missing_on_platform"),
            },
        )
        self.assertEqual(self.podio.count("/item/{item_id}", "PUT"), 1)

    def test_a_partner_changed_in_odoo_and_not_exported_is_listed(self):
        ana = self.partner_of(self.sample_item("Ana Silva"))
        self.backend.app_ids.direction = "import"
        ana.name = "Ana Sousa"
        self.run_jobs()

        self.assertEqual(self.reconcile(), {(str(self.sample_item("Ana Silva")), "changed_in_odoo")})
