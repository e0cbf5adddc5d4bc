from unittest.mock import patch

from odoo import Command
from odoo.exceptions import ValidationError

from odoo.addons.connector_podio.tests.emulator import (
    PRODUCT_OPTIONS,
    STATUS_OPTIONS,
    DemoPages,
    app_values,
    category_values,
    file_values,
    line_values,
    text_value,
)

from .common import PodioSalesCase


class TestSalesImport(PodioSalesCase):
    def test_a_linked_sales_app_imports_orders_with_lines_customers_and_states(self):
        tax = self.env["account.tax"].create({"name": "VAT 23", "amount": 23, "type_tax_use": "sale"})
        printer, toner, installation = self.products()
        printer.taxes_id = [Command.set(tax.ids)]
        (toner | installation).taxes_id = [Command.clear()]

        _contacts, sales, lines = self.link_sales()

        self.assertEqual((sales.odoo_model, lines.odoo_model), ("sale.order", "sale.order.line"))
        self.assertFalse(self.jobs(state="failed"))
        order = self.order_titled("Printers for the Lisbon office")
        self.assertEqual(order.partner_id, self.partner_of(self.sample_item("Ana Silva")))
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.client_order_ref, "Printers for the Lisbon office")
        self.assertEqual(str(order.date_order), "2025-03-01 09:30:00")
        self.assertEqual(
            sorted(
                (line.product_id.name, line.product_uom_qty, line.price_unit) for line in order.order_line
            ),
            [("Laser printer", 2.0, 480.0), ("Toner cartridge", 6.0, 35.5)],
        )
        # Podio's prices are net of tax; Odoo computes the tax from the product.
        self.assertEqual(order.amount_untaxed, 1173.0)
        self.assertAlmostEqual(order.amount_tax, 220.8, places=2)
        self.assertEqual(self.order_titled("Toner refill").state, "draft")
        self.assertEqual(self.order_titled("Printer and installation").state, "sent")

    def test_an_import_again_changes_no_order(self):
        self.products()
        _contacts, sales, lines = self.link_sales()
        orders = self.env["sale.order"].search([])

        sales.action_import()
        lines.action_import()
        self.run_jobs()

        self.assertEqual(self.env["sale.order"].search([]), orders)
        summaries = (
            self.jobs(method_name="_job_import_app", state="done").sorted("id")[-2:].mapped("result_summary")
        )
        self.assertEqual(
            summaries,
            [
                "App Sales & Orders: 0 created, 0 updated, 3 unchanged.",
                "App Order lines: 0 created, 0 updated, 5 unchanged.",
            ],
        )

    def test_lines_of_unknown_products_wait_until_creating_products_is_allowed(self):
        self.link_sales()

        waiting = self.backend._connector_quarantined("item")
        self.assertEqual(len(waiting), 5)
        self.assertIn(
            "no product.product with name 'Laser printer' (creating missing ones is off)",
            waiting[0].error_message + " ".join(waiting.mapped("error_message")),
        )
        self.assertFalse(self.env["product.product"].search([("name", "=", "Laser printer")]))

        self.mapping("sale.order.line", "product_id").create_missing = True
        self.backend.action_retry_quarantine()
        self.run_jobs()

        self.assertFalse(self.backend._connector_quarantined("item"))
        self.assertEqual(len(self.env["product.product"].search([("name", "=", "Laser printer")])), 1)
        self.assertEqual(len(self.order_titled("Printer and installation").order_line), 2)

    def test_a_value_map_takes_a_category_option_to_a_product(self):
        self.products(("Toner cartridge", "Installation"))
        printer = self.env["product.product"].create(
            {"name": "LP-100 Laser printer", "default_code": "LP-100"}
        )
        self.link_app()
        self.link_app(self.sales_app_id, "sale.order")
        lines_app = self.link_app(self.lines_app_id, "sale.order.line")
        self.assertEqual(len(self.backend._connector_quarantined("item")), 2)  # the two printer lines

        self.mapping("sale.order.line", "product_id").value_mapping_ids = [
            Command.create({"external_value": "Laser printer", "odoo_record_id": printer.id})
        ]
        self.backend.action_retry_quarantine()
        self.run_jobs()

        self.assertFalse(self.backend._connector_quarantined("item"))
        self.assertIn(printer, self.order_titled("Printers for the Lisbon office").order_line.product_id)
        self.assertTrue(lines_app.last_import_at)

    def test_products_are_matched_by_internal_reference(self):
        products = self.env["product.product"].create(
            [
                {"name": "LP-100 Laser printer", "default_code": "LP-100"},
                {"name": "Black toner", "default_code": "TON-1"},
                {"name": "On-site installation", "default_code": "SRV-INST"},
            ]
        )
        self.link_app()
        self.link_app(self.sales_app_id, "sale.order")
        self.link_app(self.lines_app_id, "sale.order.line", hold_import=True)
        self.mapping("sale.order.line", "product_id").write({"external_field": "sku", "lookup_by": "ref"})

        self.backend.app_ids.filtered(lambda app: app.app_id == str(self.lines_app_id)).action_import()
        self.run_jobs()

        self.assertFalse(self.backend._connector_quarantined("item"))
        order = self.order_titled("Printers for the Lisbon office")
        self.assertEqual(
            sorted((line.product_id.default_code, line.product_uom_qty) for line in order.order_line),
            [("LP-100", 2.0), ("TON-1", 6.0)],
        )
        self.assertEqual(set(self.env["sale.order.line"].search([]).product_id), set(products))


class TestSalesOutOfOrder(PodioSalesCase):
    def test_orders_imported_before_their_customers_wait_for_them_and_end_right(self):
        self.products()
        self.link_app(self.lines_app_id, "sale.order.line")  # lines first: their orders are not in Odoo
        self.link_app(self.sales_app_id, "sale.order")  # then orders: their customers are not in Odoo
        self.assertFalse(self.env["sale.order"].search([("partner_id.name", "=", "Ana Silva")]))
        waiting = self.backend._connector_quarantined("item")
        self.assertEqual(
            len(waiting), 3 + 5
        )  # the orders wait for their customers, the lines for their orders
        self.assertTrue(all(entry.parent_external_id for entry in waiting))

        self.link_app()  # the contacts arrive
        self.run_jobs()

        self.assertFalse(self.backend._connector_quarantined("item"))
        self.assertFalse(self.jobs(state="failed"))
        order = self.order_titled("Printers for the Lisbon office")
        self.assertEqual(order.partner_id.name, "Ana Silva")
        self.assertEqual(len(order.order_line), 2)
        self.assertEqual(
            len(self.env["sale.order.line"].search([("order_id.client_order_ref", "!=", False)])), 5
        )

    def test_orders_set_aside_while_their_customers_are_imported_by_another_job_are_released(self):
        self.products()
        self.link_app(self.lines_app_id, "sale.order.line")
        self.link_app(self.sales_app_id, "sale.order")
        Backend = type(self.backend)
        # The contacts' job started before the orders were set aside: it sees no quarantine.
        with patch.object(Backend, "_connector_has_quarantine", lambda backend, object_type: False):
            self.link_app()
        self.assertEqual(len(self.backend._connector_quarantined("item")), 3 + 5, "still waiting")

        self.env.cr.postcommit.run()  # what follows the commit of either job
        self.run_jobs()

        self.assertFalse(self.backend._connector_quarantined("item"))
        self.assertFalse(self.jobs(state="failed"))
        self.assertEqual(self.order_titled("Toner refill").partner_id.name, "Bruno Costa")
        self.assertEqual(
            len(self.env["sale.order.line"].search([("order_id.client_order_ref", "!=", False)])), 5
        )


class TestSalesHooks(PodioSalesCase):
    def setUp(self):
        super().setUp()
        self.products()
        self.link_sales()
        self.assertEqual(len(self.deliver()), 9)  # each app's three hook.verify
        self.run_jobs()

    def test_an_order_item_created_updated_and_deleted_reaches_its_order(self):
        customer = self.sample_item("Bruno Costa")
        item_id = self.podio.add_item(
            self.sales_app_id,
            {
                "title": text_value("Rush order"),
                "customer": app_values(customer),
                "status": category_values(STATUS_OPTIONS[0]),
            },
        )
        self.podio.add_item(self.lines_app_id, line_values(item_id, PRODUCT_OPTIONS[2], 1, 150))
        self.assertEqual(self.deliver(), [200, 200])
        self.run_jobs()
        order = self.order_of(item_id)
        self.assertEqual((order.partner_id, order.state), (self.partner_of(customer), "draft"))
        self.assertEqual(order.amount_untaxed, 150.0)

        self.podio.update_item(item_id, {"status": category_values(STATUS_OPTIONS[2])})
        self.assertEqual(self.deliver(), [200])
        self.run_jobs()
        self.assertEqual(order.state, "sale")

        self.podio.delete_item(item_id)
        self.assertEqual(self.deliver(), [200])
        self.run_jobs()
        self.assertEqual(order.state, "cancel")
        self.assertFalse(self.jobs(state="failed"))

    def test_a_line_and_an_order_and_its_new_customer_delivered_backwards_end_right(self):
        contact = self.podio.add_item(self.app_id, {"title": text_value("Dora Dias")})
        order_item = self.podio.add_item(
            self.sales_app_id, {"title": text_value("First order"), "customer": app_values(contact)}
        )
        line_item = self.podio.add_item(
            self.lines_app_id, line_values(order_item, PRODUCT_OPTIONS[1], 3, 35.5)
        )

        self.assertEqual(self.deliver(order=[2, 1, 0]), [200, 200, 200])  # line, order, then contact
        self.run_jobs()

        order = self.order_of(order_item)
        self.assertEqual(order.partner_id.name, "Dora Dias")
        self.assertEqual(
            order.order_line._connector_bindings(self.backend, "item").external_id, str(line_item)
        )
        self.assertEqual(order.amount_untaxed, 106.5)
        self.assertFalse(self.backend._connector_quarantined("item"))
        self.assertFalse(self.jobs(state="failed"))

    def test_with_the_delete_policy_an_order_goes_and_a_customer_with_orders_is_archived(self):
        self.backend.deleted_item_policy = "unlink"
        order_item, ana_item = self.sample_item("Toner refill"), self.sample_item("Ana Silva")
        order, ana = self.order_of(order_item), self.partner_of(ana_item)
        lines = order.order_line

        self.podio.delete_item(order_item)
        self.podio.delete_item(ana_item)  # her order stays in Odoo
        self.assertEqual(self.deliver(), [200, 200])
        self.run_jobs()

        self.assertFalse(order.exists())
        self.assertFalse(lines.exists())
        self.assertFalse(
            self.env["connector.external.binding"].search(
                [("res_model", "=", "sale.order.line"), ("res_id", "in", lines.ids)]
            )
        )
        self.assertTrue(ana.exists())
        self.assertFalse(ana.active)
        self.assertFalse(self.jobs(state="failed"))

    def test_a_deleted_line_item_leaves_its_draft_order(self):
        order = self.order_titled("Printer and installation")
        line = order.order_line.filtered(lambda line: line.product_id.name == "Installation")
        [line_item] = [binding.external_id for binding in line._connector_bindings(self.backend, "item")]

        self.podio.delete_item(int(line_item))
        self.assertEqual(self.deliver(), [200])
        self.run_jobs()

        self.assertFalse(line.exists())
        self.assertEqual(order.order_line.product_id.name, "Laser printer")


class TestSalesDemo(PodioSalesCase):
    def test_the_demo_links_contacts_orders_and_lines_and_orders_arrive_with_no_job_failing(self):
        DemoPages(self.podio)

        lines = self.env["podio.backend"]._connector_demo_setup(
            self.podio.base_url, public_base_url=self.base_url()
        )
        self.run_jobs()

        self.assertIn("apps linked: Leads & Clients, Sales & Orders, Order lines", lines[1])
        self.assertEqual(
            sorted(self.backend.app_ids.mapped("odoo_model")),
            ["res.partner", "sale.order", "sale.order.line"],
        )
        order = self.order_titled("Printers for the Lisbon office")
        self.assertEqual(
            (order.partner_id.name, order.state, len(order.order_line)), ("Ana Silva", "sale", 2)
        )
        self.assertFalse(self.backend._connector_quarantined())
        self.assertFalse(self.jobs(state="failed"))


class TestAppFields(PodioSalesCase):
    def test_the_app_fields_are_read_with_their_types_and_offered_in_the_mapping_form(self):
        self.link_app()
        sales = self.link_app(self.sales_app_id, "sale.order")

        self.assertEqual(
            sorted(set(sales.field_ids.mapped("field_type"))),
            sorted(
                [
                    "app",
                    "calculation",
                    "category",
                    "contact",
                    "date",
                    "duration",
                    "email",
                    "embed",
                    "file",
                    "image",
                    "location",
                    "phone",
                    "progress",
                    "text",
                ]
            ),
        )
        status = sales.field_ids.filtered(lambda field: field.external_id == "status")
        self.assertEqual(status.options, ["Quote", "Sent", "Won", "Lost"])
        customer = self.mapping("sale.order", "partner_id")
        self.assertEqual(customer.podio_field_id.external_id, "customer")
        self.assertEqual(customer.podio_field_keys, "customer, customer:title")

        commitment = self.mapping("sale.order", "commitment_date")
        self.assertEqual(commitment.podio_field_id.label, "Delivery window")  # the end of that date
        commitment.direction = "import"  # a calculation is only read
        commitment.podio_field_id = sales.field_ids.filtered(lambda field: field.external_id == "follow-up")
        self.assertEqual(
            (commitment.external_field, commitment.external_label), ("follow-up", "Follow up on")
        )

    def test_a_calculation_can_be_mapped_for_import_only(self):
        self.link_app()
        self.link_app(self.sales_app_id, "sale.order")
        reference = self.mapping("sale.order", "client_order_ref")
        self.assertEqual(reference.direction, "both")
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            reference.external_field = "expected-total"

        reference.write({"direction": "import", "external_field": "expected-total"})  # allowed
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            reference.direction = "both"

        self.assertEqual(reference.direction, "import")

    def test_a_field_removed_from_the_app_leaves_the_form_at_the_next_import(self):
        self.link_app()
        sales = self.link_app(self.sales_app_id, "sale.order")
        app = self.podio.apps[self.sales_app_id]
        app["fields"] = [field for field in app["fields"] if field["external_id"] != "photo"]

        sales.action_import()
        self.run_jobs()

        self.assertNotIn("photo", sales.field_ids.mapped("external_id"))
        self.assertEqual(len(sales.field_ids), 17)


class TestItemFiles(PodioSalesCase):
    def test_images_and_files_become_attachments_up_to_the_size_limit_once(self):
        self.backend.max_file_size = 1  # MB
        contract = self.podio.add_file("contract.pdf", b"%PDF-1.4 contract", "application/pdf")
        photo = self.podio.add_file("shop.png", b"\x89PNG" + b"0" * (1024 * 1024 + 1), "image/png")
        order_item = self.sample_item("Toner refill")
        self.podio.update_item(order_item, {"contract": file_values(contract), "photo": file_values(photo)})

        self.link_app()
        sales = self.link_app(self.sales_app_id, "sale.order")
        sales.action_import()
        self.run_jobs()

        order = self.order_of(order_item)
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "sale.order"), ("res_id", "=", order.id)], order="name"
        )
        self.assertEqual(attachments.mapped("name"), ["contract.pdf", "shop.png"])
        self.assertEqual(attachments[0].raw, b"%PDF-1.4 contract")
        self.assertEqual(
            (attachments[1].type, attachments[1].url), ("url", self.podio.url(f"/files/{photo['file_id']}"))
        )
        self.assertEqual(self.podio.count(route="/files/{file_id}"), 1)  # the large one is not read
