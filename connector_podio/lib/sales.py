"""What a Podio sales app and its order lines app are to the connector, apart from the ORM:
the mappings a linked app starts with (keyed to the sample apps' fields; a person edits them
under Configuration > Field mappings).

An order is an item of the sales app; its lines are items of an order lines app, each
referring to its order through an app reference (Podio has no lines inside an item, and
reading the lines through the order would cost one call per line against a quota of 1,000
calls an hour, where paging the lines app costs one call per 100 lines). The customer is
an app reference to an item of the linked contacts app, the order's status a category
mapped to the order's state through value maps; a line's product is matched by name (a
category option's text), by internal reference, or by a value map from a category option
to a product, and created only where the mapping allows it. Unit prices are net of tax:
Odoo computes the taxes from the product.

Written back (an app linked both ways): an order's header fields (customer, reference,
dates, status, notes) to its item, a line's product, description, quantity and unit
price to its line item; which order a line belongs to is only read from Podio. An order
made in Odoo creates its item (where the sales app creates items), and its lines items of
the lines app referring to it (where that app creates items too); a line added to an
order already in Podio creates its own line item.
"""

# A status option's text to the sale order state it stands for.
STATUS_STATES = (("Quote", "draft"), ("Sent", "sent"), ("Won", "sale"), ("Lost", "cancel"))

SALE_ORDER_MAPPING_DEFAULTS = [
    {
        "odoo_field": "partner_id",
        "external_field": "customer",
        "external_label": "Customer (an item of the contacts app)",
        "converter": "many2one",
        "lookup_by": "binding",
        "lookup_external_type": "item",
        "required": True,
        "direction": "both",
        "sequence": 1,
    },
    {
        "odoo_field": "client_order_ref",
        "external_field": "title",
        "external_label": "Order",
        "converter": "text",
        "direction": "both",
        "sequence": 2,
    },
    {
        "odoo_field": "date_order",
        "external_field": "order-date",
        "external_label": "Order date",
        "converter": "datetime",
        "required": False,  # absent: Odoo's default or computed value
        "direction": "both",
        "sequence": 3,
    },
    {
        "odoo_field": "commitment_date",
        "external_field": "delivery:end",
        "external_label": "Delivery window: end",
        "converter": "datetime",
        "direction": "both",
        "sequence": 4,
    },
    {
        "odoo_field": "state",
        "external_field": "status",
        "external_label": "Status",
        "converter": "selection",
        "default_value": "Quote",
        "direction": "both",
        "sequence": 5,
        "value_mappings": [
            {"external_value": text, "odoo_value": state, "sequence": index}
            for index, (text, state) in enumerate(STATUS_STATES)
        ],
    },
    {
        "odoo_field": "note",
        "external_field": "notes",
        "external_label": "Notes",
        "converter": "html",
        "direction": "both",
        "sequence": 6,
    },
]

ORDER_LINE_MAPPING_DEFAULTS = [
    {
        "odoo_field": "order_id",
        "external_field": "order",
        "external_label": "Order (an item of the sales app)",
        "converter": "many2one",
        "lookup_by": "binding",
        "lookup_external_type": "item",
        "required": True,
        "direction": "import",
        "sequence": 1,
    },
    {
        "odoo_field": "product_id",
        "external_field": "product",
        "external_label": "Product (its name)",
        "converter": "many2one",
        "lookup_by": "name",
        "create_missing": False,
        "required": True,
        "direction": "both",
        "sequence": 2,
    },
    {
        "odoo_field": "name",
        "external_field": "title",
        "external_label": "Description",
        "converter": "text",
        "required": False,  # absent: Odoo's default or computed value
        "direction": "both",
        "sequence": 3,
    },
    {
        "odoo_field": "product_uom_qty",
        "external_field": "quantity",
        "external_label": "Quantity",
        "converter": "float",
        "default_value": "1",
        "direction": "both",
        "sequence": 4,
    },
    {
        "odoo_field": "price_unit",
        "external_field": "unit-price",
        "external_label": "Unit price (net of tax)",
        "converter": "float",
        "required": False,  # absent: Odoo's default or computed value
        "direction": "both",
        "sequence": 5,
    },
]
