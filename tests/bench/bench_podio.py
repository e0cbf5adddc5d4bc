#!/usr/bin/env python3
"""Benchmark the Podio connector's imports on a real database (run through `make bench`).

Each section makes records with raw batch ``create`` calls (the same context, pages of the
same size, each flushed as the import flushes its pages, values mapped beforehand: no API, no
mapping, no binding), then imports the same records from the local Podio emulator (serving
from a process of its own, as Podio serves from its own machines), on the same database in
the same run, three rounds in turn, and prints, from the round whose speed
ratio is the median (every round's ratio is listed):
- items imported per second, and the ratio to the raw create (target >= 0.85);
- the SQL queries per item the import adds to the raw create (target <= 2);
- the API calls used, against the paging minimum (target within 5%) and the hourly quota;
- a poll of each app with no change: API calls (target 1 per app) and rows written (target 0).

Sections (each a function of ``SECTIONS`` returning its figures):
- contacts: 5,000 contact items into partners;
- sales: 2,000 sales items with 3 lines each (items of the order lines app) into orders
  with their lines, and the 500 contact items of their customers into partners; the raw
  create makes the same partners, orders and lines.

Exits with 1 when a target is missed.
"""

import math
import os
import tempfile
from datetime import datetime, timedelta, timezone
from unittest.mock import patch

from benchlib import (
    ROUNDS,
    ServedApart,
    addon_module,
    emulator_module,
    env_for,
    import_context,
    measured,
    open_registry,
    raw_then_import,
    round_ratios_line,
    verdict,
    written_rows,
)

CONTACTS = 5000
ORDERS = 2000
LINES_PER_ORDER = 3
CUSTOMERS = 500
TARGET_RATIO = 0.85
TARGET_EXTRA_QUERIES = 2
TARGET_CALLS_OVER_MINIMUM = 0.05


def generate_contacts(emulator, podio, app_id, count):
    """``count`` contact items, last edited two hours ago (outside the import's poll skew)."""
    when = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(hours=2)
    for number in range(count):
        values = {
            "title": emulator.text_value(f"Contact {number:05d}"),
            "company": emulator.text_value(f"Company {number % 250:03d}"),
            "email": emulator.email_values(("work", f"contact{number:05d}@example.com")),
            "phone": emulator.phone_values(
                ("work", f"+351 21{number:07d}"), ("mobile", f"+351 91{number:07d}")
            ),
            "address": emulator.location_value(
                f"Rua {number} 1, 1000-{number % 1000:03d} Lisboa",
                street_address=f"Rua {number} 1",
                postal_code=f"1000-{number % 1000:03d}",
                city="Lisboa",
            ),
        }
        podio.add_item(app_id, values, when=when)
    podio.outbox.clear()


def signed_in_backend(env, podio, **values):
    """A backend signed in to the emulator as the demo's service account (``values``: more
    of the backend's fields)."""
    emulator = emulator_module("connector_podio")
    backend = env["podio.backend"].create(
        {
            "name": "Bench Podio",
            **values,
            "api_url": podio.base_url,
            "oauth_client_id": emulator.DEMO_CLIENT_ID,
            "oauth_client_secret": emulator.DEMO_CLIENT_SECRET,
            "auth_mode": "password",
            "podio_username": emulator.DEMO_USERNAME,
            "podio_password": emulator.DEMO_PASSWORD,
        }
    )
    grant_type, params = backend._podio_grant()
    backend._oauth_fetch_token(grant_type, **params)
    return backend


def link(env, backend, app_id, name, odoo_model="res.partner"):
    """The app linked to ``odoo_model``, its set-up jobs dropped (the import is measured by hand)."""
    preview = addon_module("connector_base.lib.preview")
    app = (
        env["podio.app"]
        .with_context(**{preview.HOLD_FIRST_IMPORT: True})
        .create({"backend_id": backend.id, "app_id": str(app_id), "name": name, "odoo_model": odoo_model})
    )
    env["connector.sync.job"].search(
        [("backend_model", "=", "podio.backend"), ("backend_id", "=", backend.id)]
    ).unlink()
    return app


def mapped_pages(client, app, resolver=None):
    """The values the app's mapping gives its items, a page at a time (``resolver``: the
    lookups' answers, the app's own by default)."""
    mapper_module = addon_module("connector_podio.lib.mapper")
    mapper = app._mapper()
    pages = []
    for page in client.iter_item_pages(app.app_id):
        records = [mapper_module.item_record(item) for item in page]
        batch = mapper.mapper.to_odoo_batch(records, resolver or mapper.resolver)
        assert not batch.failed, batch.failed[:1]
        pages.append([(record["id"], app._without_empty_defaults(values)) for record, values in batch.good])
    return pages


class ItemIdsForBindings:
    """A lookup resolver answering a lookup through bindings with the item id itself, the
    other lookups as the app's own resolver does: the raw create puts the id of the record
    it made for that item in its place."""

    def __init__(self, resolver):
        self.resolver = resolver

    def resolve_keys(self, rule, keys):
        if rule.lookup_by == "binding":
            return {key: int(key) for key in keys}
        return self.resolver.resolve_keys(rule, keys)

    def resolve_ids(self, rule, ids):
        return self.resolver.resolve_ids(rule, ids)


def cleanup(registry, backend_id, models):
    """Remove the backend, its bindings and the records of ``models`` they bind (an order's
    lines go with it)."""
    if not backend_id:
        return
    with registry.cursor() as cr:
        env = env_for(cr)
        bindings = env["connector.external.binding"].search(
            [("backend_model", "=", "podio.backend"), ("backend_id", "=", backend_id)]
        )
        bound = [(binding.res_model, binding.res_id) for binding in bindings]
        for model in models:
            records = (
                env[model]
                .with_context(active_test=False)
                .browse([res_id for res_model, res_id in bound if res_model == model])
                .exists()
            )
            if model == "sale.order":
                records.write({"state": "cancel"})  # confirmed orders and their lines cannot be deleted
            records.unlink()
        bindings.exists().unlink()
        env["podio.backend"].browse(backend_id).unlink()


def section_contacts(registry):
    """5,000 contact items into partners."""
    emulator = emulator_module("connector_podio")
    client_module = addon_module("connector_podio.lib.client")
    podio = emulator.PodioEmulator()
    org_id = podio.add_org("Bench")
    app_id = podio.add_app(podio.add_space(org_id, "Bench"), "Contacts", "Contact")
    generate_contacts(emulator, podio, app_id, CONTACTS)
    podio = ServedApart(podio)
    backend_id = None
    try:
        with registry.cursor() as cr:
            env = env_for(cr)
            backend = signed_in_backend(env, podio)
            backend_id = backend.id
            app = link(env, backend, app_id, "Bench contacts")
            cr.commit()
            # The raw baseline: the values the mapping gives, prepared before the clock starts.
            with backend._podio_session() as client:
                pages = [[values for _item_id, values in page] for page in mapped_pages(client, app)]
            Partner = env["res.partner"].with_context(**import_context())

            def measure_raw():
                _result, seconds, queries = measured(
                    cr, lambda: [Partner.create(values).env.flush_all() for values in pages]
                )
                return {"raw_seconds": seconds, "raw_queries": queries}

            def measure_import():
                podio.reset()
                totals, seconds, queries = measured(cr, app._import)
                assert totals["created"] == CONTACTS, (
                    f"{totals['created']} partners created of {CONTACTS} items ({totals})"
                )
                return {"seconds": seconds, "queries": queries, "api_calls": podio.count()}

            figures = raw_then_import(
                cr,
                measure_raw,
                measure_import,
                lambda: measure_idle_poll(cr, podio, backend, [app]),
                rounds=ROUNDS,
                ratio=speed_ratio,
            )
    finally:
        podio.stop()
        cleanup(registry, backend_id, ["res.partner"])
    return {
        **figures,
        "name": f"contacts: {CONTACTS} items into partners",
        "items": CONTACTS,
        "minimum_calls": math.ceil(CONTACTS / client_module.FILTER_PAGE_SIZE),
        "page_size": client_module.FILTER_PAGE_SIZE,
        "quota": client_module.GENERAL_QUOTA[0],
        "polled_apps": 1,
    }


def measure_idle_poll(cr, podio, backend, apps):
    """A poll of each app with nothing new: its API calls and the rows it wrote."""
    podio.reset()
    writes = written_rows(cr, lambda: [backend._connector_poll_container(app.app_id) for app in apps])
    return {"poll_calls": podio.count(), "poll_writes": len(writes)}


def speed_ratio(figures):
    return figures["raw_seconds"] / figures["seconds"]


def generate_sales(emulator, podio, contacts_app_id, space_id):
    """The sales app and its order lines app, with ``ORDERS`` orders of the contacts' items
    (a status, an order date, a delivery window, notes) and ``LINES_PER_ORDER`` lines each;
    returns their app ids."""
    sales_app_id = podio.add_app(space_id, "Sales", "Order", emulator.sales_fields(contacts_app_id))
    lines_app_id = podio.add_app(space_id, "Order lines", "Line", emulator.line_fields(sales_app_id))
    customers = [item_id for item_id, item in podio.items.items() if item["app"]["app_id"] == contacts_app_id]
    when = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(hours=2)
    for number in range(ORDERS):
        order_id = podio.add_item(
            sales_app_id,
            {
                "title": emulator.text_value(f"Order {number:05d}"),
                "customer": emulator.app_values(customers[number % len(customers)]),
                "status": emulator.category_values(emulator.STATUS_OPTIONS[number % 4]),
                "order-date": emulator.date_value("2025-03-01 09:30:00"),
                "delivery": emulator.date_value("2025-03-10", "2025-03-14"),
                "notes": emulator.text_value(f"<p>Order <b>{number}</b></p>"),
            },
            when=when,
        )
        for line in range(LINES_PER_ORDER):
            product = emulator.PRODUCT_OPTIONS[line % len(emulator.PRODUCT_OPTIONS)]
            podio.add_item(
                lines_app_id,
                emulator.line_values(order_id, product, line + 1, 10.0 * (line + 1)),
                when=when,
            )
    podio.outbox.clear()
    return sales_app_id, lines_app_id


def raw_sales_create(env, client, apps):
    """The raw baseline of the sales section: the values the mappings give, prepared before
    the clock starts (a customer or an order is the item id, replaced by the id of the
    record made for it); returns what makes the partners, orders and lines from them."""
    app_pages = [mapped_pages(client, app, ItemIdsForBindings(app._mapper().resolver)) for app in apps]
    steps = (("res.partner", None), ("sale.order", "partner_id"), ("sale.order.line", "order_id"))
    contexts = {model: env[model].with_context(**import_context()) for model, _reference in steps}

    def raw_create():
        made = {}
        for (model, reference), pages in zip(steps, app_pages, strict=True):
            for page in pages:
                values = [
                    {**values, reference: made[str(values[reference])]} if reference else values
                    for _item_id, values in page
                ]
                records = contexts[model].create(values)
                records.env.flush_all()  # a page at a time, as the import writes them
                made.update(zip((item_id for item_id, _values in page), records.ids, strict=True))

    return raw_create


def section_sales(registry):
    """2,000 sales items with 3 lines each into orders, and their customers into partners."""
    emulator = emulator_module("connector_podio")
    client_module = addon_module("connector_podio.lib.client")
    podio = emulator.PodioEmulator()
    space_id = podio.add_space(podio.add_org("Bench"), "Bench")
    contacts_app_id = podio.add_app(space_id, "Customers", "Contact")
    generate_contacts(emulator, podio, contacts_app_id, CUSTOMERS)
    sales_app_id, lines_app_id = generate_sales(emulator, podio, contacts_app_id, space_id)
    podio = ServedApart(podio)
    backend_id = product_ids = None
    try:
        with registry.cursor() as cr:
            env = env_for(cr)
            # Services: no stock moves, the same for the raw create and the import.
            product_ids = (
                env["product.product"]
                .create([{"name": text, "type": "service"} for _option, text in emulator.PRODUCT_OPTIONS])
                .ids
            )
            backend = signed_in_backend(env, podio)
            backend_id = backend.id
            apps = [
                link(env, backend, contacts_app_id, "Bench customers"),
                link(env, backend, sales_app_id, "Bench sales", "sale.order"),
                link(env, backend, lines_app_id, "Bench order lines", "sale.order.line"),
            ]
            cr.commit()
            with backend._podio_session() as client:
                raw_create = raw_sales_create(env, client, apps)
            expected = [CUSTOMERS, ORDERS, ORDERS * LINES_PER_ORDER]

            def measure_raw():
                _result, seconds, queries = measured(cr, raw_create)
                return {"raw_seconds": seconds, "raw_queries": queries}

            def measure_import():
                podio.reset()
                results, seconds, queries = measured(cr, lambda: [app._import() for app in apps])
                created = [totals["created"] for totals in results]
                assert created == expected, f"{created} records created of {expected} items ({results})"
                assert not backend._connector_quarantined("item"), "items set aside"
                return {"seconds": seconds, "queries": queries, "api_calls": podio.count()}

            figures = raw_then_import(
                cr,
                measure_raw,
                measure_import,
                lambda: measure_idle_poll(cr, podio, backend, apps),
                rounds=ROUNDS,
                ratio=speed_ratio,
            )
    finally:
        podio.stop()
        cleanup(registry, backend_id, ["sale.order", "res.partner"])
        if product_ids:
            with registry.cursor() as cr:
                env_for(cr)["product.product"].browse(product_ids).unlink()
    items = sum(expected)
    page = client_module.FILTER_PAGE_SIZE
    return {
        **figures,
        "name": (
            f"sales: {ORDERS} items with {LINES_PER_ORDER} lines each into orders, "
            f"their {CUSTOMERS} customers into partners ({items} items)"
        ),
        "items": items,
        "minimum_calls": sum(math.ceil(count / page) for count in expected),
        "page_size": page,
        "quota": client_module.GENERAL_QUOTA[0],
        "polled_apps": len(apps),
    }


SECTIONS = [section_contacts, section_sales]


def report(figures):
    items = figures["items"]
    ratio = speed_ratio(figures)
    extra = (figures["queries"] - figures["raw_queries"]) / items
    calls, minimum = figures["api_calls"], figures["minimum_calls"]
    calls_ok = calls <= minimum * (1 + TARGET_CALLS_OVER_MINIMUM)
    polled = figures["polled_apps"]
    poll_ok = figures["poll_calls"] == polled and not figures["poll_writes"]
    print(f"podio {figures['name']}")
    print(f"  context {import_context()}; load average {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    raw_rate, raw_per_item = items / figures["raw_seconds"], figures["raw_queries"] / items
    print(f"  raw batch create  {raw_rate:10.0f} items/s  {raw_per_item:6.3f} queries/item")
    rate, per_item = items / figures["seconds"], figures["queries"] / items
    print(f"  podio import      {rate:10.0f} items/s  {per_item:6.3f} queries/item")
    print(
        f"  speed ratio       {ratio:10.2f}x   (target >= {TARGET_RATIO:.2f}x)",
        verdict(ratio >= TARGET_RATIO),
    )
    if rounds := round_ratios_line(figures):
        print(rounds)
    print(
        f"  extra queries     {extra:10.3f} per item (target <= {TARGET_EXTRA_QUERIES})",
        verdict(extra <= TARGET_EXTRA_QUERIES),
    )
    print(
        f"  API calls         {calls} (paging minimum {minimum} at {figures['page_size']} per page, "
        f"target within 5%; {calls / figures['quota']:.1%} of the {figures['quota']}/h quota)",
        verdict(calls_ok),
    )
    idle = (
        f"{figures['poll_calls']} API call(s), {figures['poll_writes']} writes for {polled} app(s) "
        f"(target 1 call per app and 0)"
    )
    print(f"  idle poll         {idle} {verdict(poll_ok)}")
    return ratio >= TARGET_RATIO and extra <= TARGET_EXTRA_QUERIES and calls_ok and poll_ok


def main():
    registry = open_registry(__doc__)
    # Fresh quota buckets: the benchmark must not inherit a previous run's spent quota.
    rate_limit = addon_module("connector_base.lib.rate_limit")
    with tempfile.TemporaryDirectory() as directory, patch.object(rate_limit, "DEFAULT_DIRECTORY", directory):
        results = [report(section(registry)) for section in SECTIONS]
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
