from .test_export_orders import OrderExportCase


class CreateOrdersCase(OrderExportCase):
    """The sample apps imported, the sales and order lines apps linked both ways and creating
    items."""

    def setUp(self):
        super().setUp()
        (self.sales | self.lines).create_items = True
        self.carla = self.partner_of(self.sample_item("Carla Mendes"))
        self.product = {
            product.name: product
            for product in self.env["product.product"].search(
                [("name", "in", ("Laser printer", "Toner cartridge", "Installation"))]
            )
        }

    def posts(self):
        return [
            entry
            for entry in self.podio.requests
            if entry.method == "POST" and entry.route == "/item/app/{app_id}/"
        ]

    def new_order(self, customer=None, **values):
        return self.env["sale.order"].create(
            {
                "partner_id": (customer or self.carla).id,
                "client_order_ref": "Spare toner",
                "order_line": [
                    (
                        0,
                        0,
                        {
                            "product_id": self.product["Toner cartridge"].id,
                            "product_uom_qty": 4,
                            "price_unit": 35.5,
                        },
                    ),
                    (0, 0, {"display_type": "line_note", "name": "Deliver to the back door"}),
                    (
                        0,
                        0,
                        {
                            "product_id": self.product["Installation"].id,
                            "product_uom_qty": 1,
                            "price_unit": 120,
                        },
                    ),
                ],
                **values,
            }
        )

    def item_of(self, record):
        [binding] = record._connector_bindings(self.backend, "item")
        return int(binding.external_id)

    def referred(self, item_id, field):
        return [value["value"]["item_id"] for value in self.values(item_id, field)]

    def option(self, item_id, field):
        return [value["value"]["text"] for value in self.values(item_id, field)]


class TestCreateOrders(CreateOrdersCase):
    def test_an_order_made_in_odoo_becomes_an_item_and_its_lines_items_of_the_lines_app(self):
        order = self.new_order()
        self.run_jobs()

        self.assertFalse(self.jobs(state="failed"))
        order_item = self.item_of(order)
        self.assertEqual(self.podio.items[order_item]["app"]["app_id"], self.sales_app_id)
        self.assertTrue(
            self.podio.items[order_item]["external_id"].startswith(f"odoo-sale-order-{order.id}-")
        )
        self.assertEqual(self.values(order_item, "title"), [{"value": "Spare toner"}])
        self.assertEqual(self.referred(order_item, "customer"), [self.sample_item("Carla Mendes")])
        self.assertEqual(self.option(order_item, "status"), ["Quote"])

        toner, note, installation = order.order_line
        self.assertFalse(note._connector_bindings(self.backend, "item"), "a note is no line item")
        for line, product, quantity, price in (
            (toner, "Toner cartridge", "4.0000", "35.5000"),
            (installation, "Installation", "1.0000", "120.0000"),
        ):
            line_item = self.item_of(line)
            self.assertEqual(self.podio.items[line_item]["app"]["app_id"], self.lines_app_id)
            self.assertEqual(self.referred(line_item, "order"), [order_item])
            self.assertEqual(self.option(line_item, "product"), [product])
            self.assertEqual(self.values(line_item, "quantity"), [{"value": quantity}])
            self.assertEqual(
                self.values(line_item, "unit-price"), [{"value": price, "currency": order.currency_id.name}]
            )
        self.assertEqual(len(self.posts()), 3, "the order's item and one per line, once each")
        self.assertEqual(len(self.jobs(method_name="_job_create_item")), 1, "the lines go with their order")

    def test_the_create_hooks_of_the_order_s_items_are_dropped_and_nothing_is_written_back(self):
        order = self.new_order()
        self.run_jobs()
        written_at = order.write_date

        self.assertEqual(self.deliver(), [200, 200, 200])
        [event] = self.run_jobs()  # the first event's job takes the other two along

        self.assertIn("3 item(s) already synced", event.result_summary)
        self.assertEqual(order.write_date, written_at, "the order is not written again")
        self.assertEqual(self.puts(), [])
        self.assertEqual(len(order.order_line), 3)

    def test_a_retry_binds_the_items_an_interrupted_attempt_made_and_makes_only_the_rest(self):
        order = self.new_order()
        toner = order.order_line[0]
        [job] = self.jobs(method_name="_job_create_item")
        # An earlier attempt created the order's item and its first line's, then died
        # before its transaction committed.
        Intent = self.env["connector.create.intent"].sudo()
        made = {}
        for record, app_id in ((order, self.sales_app_id), (toner, self.lines_app_id)):
            token = Intent._open(self.backend, "item", record)[0]
            model = record._name.replace(".", "-")
            made[record] = self.podio.add_item(
                app_id,
                {"title": [{"value": record.display_name}]},
                external_id=f"odoo-{model}-{record.id}-{token}",
            )

        self.run_jobs()

        self.assertEqual(job.state, "done")
        self.assertEqual(self.item_of(order), made[order])
        self.assertEqual(self.item_of(toner), made[toner])
        [post] = self.posts()
        self.assertEqual(post.json["fields"]["order"], [made[order]], "the last line, naming the order found")

    def test_a_line_added_to_an_order_already_in_podio_becomes_its_line_item(self):
        self.order.write(
            {"order_line": [(0, 0, {"product_id": self.product["Installation"].id, "price_unit": 99})]}
        )
        self.run_jobs()

        self.assertFalse(self.jobs(state="failed"))
        line = self.order.order_line.filtered(lambda line: line.product_id.name == "Installation")
        line_item = self.item_of(line)
        self.assertEqual(self.referred(line_item, "order"), [self.order_item])
        self.assertEqual(
            self.values(line_item, "unit-price"), [{"value": "99.0000", "currency": line.currency_id.name}]
        )
        self.assertEqual(len(self.posts()), 1)
        self.assertEqual(self.puts(), [], "the order's item is not written")

    def test_an_order_waits_for_the_item_of_its_new_customer(self):
        contacts = self.backend.app_ids.filtered(lambda app: app.odoo_model == "res.partner")
        contacts.write({"direction": "both", "create_items": True})
        zoe = self.env["res.partner"].create({"name": "Zoe Zimmer"})
        order = self.new_order(customer=zoe)
        partner_job = self.jobs(method_name="_job_create_item").filtered(
            lambda job: job.payload["res_model"] == "res.partner"
        )
        # Another server has the customer's job: the order's job runs first.
        partner_job.state = "running"
        [order_job] = self.run_jobs()
        self.assertEqual(order_job.state, "pending", "retried later, not failed")
        self.assertEqual(self.posts(), [])

        partner_job.state = "pending"
        order_job.next_attempt_at = partner_job.next_attempt_at
        self.run_jobs()

        self.assertFalse(self.jobs(state="failed"))
        self.assertEqual(self.referred(self.item_of(order), "customer"), [self.item_of(zoe)])


class TestCreateOrdersPerSetting(CreateOrdersCase):
    def test_orders_create_items_only_where_their_app_does(self):
        self.sales.create_items = False

        self.new_order()

        self.assertFalse(self.jobs(method_name="_job_create_item"))

    def test_an_order_s_lines_create_items_only_where_the_lines_app_does(self):
        self.lines.create_items = False

        order = self.new_order()
        self.run_jobs()

        self.item_of(order)
        self.assertFalse(order.order_line._connector_bindings(self.backend, "item"))
        self.assertEqual(len(self.posts()), 1)

    def test_orders_the_connector_imports_create_no_item(self):
        self.assertTrue(self.order)
        self.assertFalse(self.jobs(method_name="_job_create_item"))
        self.assertEqual(self.posts(), [])
