from odoo.addons.connector_podio.tests.emulator import text_value

from .common import PodioSalesCase


class OrderExportCase(PodioSalesCase):
    """The sample contacts, sales and order lines apps imported, the sales and lines apps
    linked both ways, their hooks active."""

    def setUp(self):
        super().setUp()
        self.products()
        _contacts, self.sales, self.lines = self.link_sales()
        (self.sales | self.lines).direction = "both"
        self.deliver()  # the hooks' verify calls
        self.run_jobs()
        self.order_item = self.sample_item("Toner refill")
        self.order = self.order_of(self.order_item)

    def values(self, item_id, field):
        return self.podio.items[item_id]["_values"].get(field)

    def puts(self):
        return [entry for entry in self.podio.requests if entry.method == "PUT"]


class TestOrderExport(OrderExportCase):
    def test_an_order_s_reference_status_customer_and_delivery_are_written_to_its_item(self):
        revision = self.podio.items[self.order_item]["current_revision"]["revision"]
        carla = self.partner_of(self.sample_item("Carla Mendes"))

        self.order.write(
            {
                "client_order_ref": "Toner refill (urgent)",
                "partner_id": carla.id,
                "commitment_date": "2025-03-20",
            }
        )
        self.order.action_confirm()
        self.run_jobs()

        self.assertFalse(self.jobs(state="failed"))
        self.assertEqual(self.values(self.order_item, "title"), [{"value": "Toner refill (urgent)"}])
        self.assertEqual(
            [value["value"]["text"] for value in self.values(self.order_item, "status")], ["Won"]
        )
        self.assertEqual(
            [value["value"]["item_id"] for value in self.values(self.order_item, "customer")],
            [self.sample_item("Carla Mendes")],
        )
        # Only the end is mapped: the start of the delivery window stays.
        self.assertEqual(
            self.values(self.order_item, "delivery"), [{"start_date": "2025-03-10", "end_date": "2025-03-20"}]
        )
        [put] = self.puts()
        self.assertEqual(put.json["revision"], revision, "one write, naming the revision it changes")
        # Confirming sets the order date too (Odoo's confirmation date).
        self.assertEqual(
            sorted(put.json["fields"]), ["customer", "delivery", "order-date", "status", "title"]
        )
        self.assertEqual(put.json["fields"]["status"], [3])

    def test_the_hook_of_the_connector_s_own_order_write_is_dropped(self):
        self.order.client_order_ref = "Toner refill (urgent)"
        self.run_jobs()
        written_at = self.order.write_date

        self.assertEqual(self.deliver(), [200])
        [event] = self.run_jobs()

        self.assertIn("already synced", event.result_summary)
        self.assertEqual(self.order.write_date, written_at, "the order is not written again")
        self.assertEqual(len(self.puts()), 1, "and nothing goes back to Podio")

    def test_a_line_s_quantity_and_price_are_written_to_its_line_item_in_its_currency(self):
        line = self.order.order_line
        line_item = line._connector_bindings(self.backend, "item").external_id

        line.write({"product_uom_qty": 12, "price_unit": 33.0})
        self.run_jobs()

        self.assertFalse(self.jobs(state="failed"))
        self.assertEqual(self.values(int(line_item), "quantity"), [{"value": "12.0000"}])
        self.assertEqual(self.values(int(line_item), "unit-price"), [{"value": "33.0000", "currency": "EUR"}])
        [put] = self.puts()
        self.assertEqual(sorted(put.json["fields"]), ["quantity", "unit-price"])

    def test_an_order_edited_on_both_sides_becomes_a_conflict_and_neither_side_is_overwritten(self):
        self.podio.update_item(self.order_item, {"title": text_value("Toner refill (Podio)")})
        self.podio.outbox.clear()  # its hook is late: the export comes first

        self.order.client_order_ref = "Toner refill (Odoo)"
        self.run_jobs()

        conflict = self.env["connector.sync.conflict"].search(
            [("binding_id.res_model", "=", "sale.order"), ("binding_id.res_id", "=", self.order.id)]
        )
        self.assertEqual(
            (conflict.field_name, conflict.state, conflict.external_value),
            ("client_order_ref", "open", "Toner refill (Podio)"),
        )
        self.assertEqual(self.order.client_order_ref, "Toner refill (Odoo)")
        self.assertEqual(self.values(self.order_item, "title"), [{"value": "Toner refill (Podio)"}])
        self.assertEqual(self.puts(), [])

    def test_a_sales_app_linked_for_import_only_is_never_written(self):
        self.sales.direction = "import"

        self.order.client_order_ref = "Toner refill (urgent)"
        self.run_jobs()

        self.assertEqual(self.puts(), [])
        self.assertEqual(self.values(self.order_item, "title"), [{"value": "Toner refill"}])
