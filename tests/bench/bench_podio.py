#!/usr/bin/env python3
"""Benchmark the Podio connector's imports on a real database (run through `make bench`).

Each section imports one app from the local Podio emulator, then makes the same records with
raw batch ``create`` calls (the same context, pages of the same size, values mapped
beforehand: no API, no mapping, no binding) on the same database in the same run, and prints:
- items imported per second, and the ratio to the raw create (target >= 0.85);
- the SQL queries per item the import adds to the raw create (target <= 2);
- the API calls used, against the paging minimum (target within 5%) and the hourly quota;
- a poll of the app with no change: API calls (target 1) and rows written (target 0).

Sections: contacts (5,000 contact items into partners). A section is a function of
``SECTIONS`` returning its figures; a sales section (sales items with their lines into
orders) is added there the same way.

Exits with 1 when a target is missed.
"""

import math
import os
import tempfile
from datetime import datetime, timedelta, timezone
from unittest.mock import patch

from benchlib import (
    addon_module,
    emulator_module,
    env_for,
    import_context,
    measured,
    open_registry,
    verdict,
    written_rows,
)

CONTACTS = 5000
TARGET_RATIO = 0.85
TARGET_EXTRA_QUERIES = 2
TARGET_CALLS_OVER_MINIMUM = 0.05


def vacuum(cr):
    """Clear the dead rows earlier phases left, so both phases start from the same state."""
    cr._cnx.autocommit = True
    try:
        cr.execute("VACUUM ANALYZE")
    finally:
        cr._cnx.autocommit = False


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


def linked_app(env, podio, app_id, backend_values):
    """A backend signed in to the emulator and the app linked, its set-up jobs dropped (the
    import is measured by hand)."""
    emulator = emulator_module("connector_podio")
    preview = addon_module("connector_base.lib.preview")
    backend = env["podio.backend"].create(
        {
            "name": "Bench Podio",
            "api_url": podio.base_url,
            "oauth_client_id": emulator.DEMO_CLIENT_ID,
            "oauth_client_secret": emulator.DEMO_CLIENT_SECRET,
            "auth_mode": "password",
            "podio_username": emulator.DEMO_USERNAME,
            "podio_password": emulator.DEMO_PASSWORD,
            **backend_values,
        }
    )
    grant_type, params = backend._podio_grant()
    backend._oauth_fetch_token(grant_type, **params)
    app = (
        env["podio.app"]
        .with_context(**{preview.HOLD_FIRST_IMPORT: True})
        .create({"backend_id": backend.id, "app_id": str(app_id), "name": "Bench contacts"})
    )
    env["connector.sync.job"].search(
        [("backend_model", "=", "podio.backend"), ("backend_id", "=", backend.id)]
    ).unlink()
    return backend, app


def section_contacts(registry):
    """5,000 contact items into partners."""
    emulator = emulator_module("connector_podio")
    client_module = addon_module("connector_podio.lib.client")
    mapper_module = addon_module("connector_podio.lib.mapper")
    podio = emulator.PodioEmulator()
    org_id = podio.add_org("Bench")
    app_id = podio.add_app(podio.add_space(org_id, "Bench"), "Contacts", "Contact")
    generate_contacts(emulator, podio, app_id, CONTACTS)
    podio.start()
    backend_id = None
    try:
        with registry.cursor() as cr:
            env = env_for(cr)
            backend, app = linked_app(env, podio, app_id, {})
            backend_id = backend.id
            cr.commit()
            # The raw baseline: the values the mapping gives, prepared before the clock starts.
            with backend._podio_session() as client:
                pages = [
                    [
                        values
                        for _record, values in app._mapper()
                        .to_odoo_batch([mapper_module.item_record(item) for item in page])
                        .good
                    ]
                    for page in client.iter_item_pages(app.app_id)
                ]
            Partner = env["res.partner"].with_context(**import_context())
            cr.commit()  # what the reads wrote (a refreshed token)
            vacuum(cr)
            _result, raw_seconds, raw_queries = measured(
                cr, lambda: [Partner.create(values) for values in pages]
            )
            cr.rollback()
            vacuum(cr)
            podio.reset()
            totals, seconds, queries = measured(cr, app._import)
            calls = podio.count()
            created = totals["created"]
            assert created == CONTACTS, f"{created} partners created of {CONTACTS} items ({totals})"
            cr.commit()
            podio.reset()
            writes = written_rows(cr, lambda: backend._connector_poll_container(app.app_id))
            poll_calls = podio.count()
            cr.rollback()
    finally:
        podio.stop()
        if backend_id:
            with registry.cursor() as cr:
                backend = env_for(cr)["podio.backend"].browse(backend_id)
                bindings = env_for(cr)["connector.external.binding"].search(
                    [("backend_model", "=", "podio.backend"), ("backend_id", "=", backend_id)]
                )
                partners = (
                    env_for(cr)["res.partner"]
                    .with_context(active_test=False)
                    .browse(bindings.mapped("res_id"))
                )
                bindings.unlink()
                partners.unlink()
                backend.unlink()
    return {
        "name": f"contacts: {CONTACTS} items into partners",
        "items": CONTACTS,
        "raw_seconds": raw_seconds,
        "raw_queries": raw_queries,
        "seconds": seconds,
        "queries": queries,
        "api_calls": calls,
        "minimum_calls": math.ceil(CONTACTS / client_module.FILTER_PAGE_SIZE),
        "page_size": client_module.FILTER_PAGE_SIZE,
        "quota": client_module.GENERAL_QUOTA[0],
        "poll_calls": poll_calls,
        "poll_writes": len(writes),
    }


SECTIONS = [section_contacts]


def report(figures):
    items = figures["items"]
    ratio = figures["raw_seconds"] / figures["seconds"]
    extra = (figures["queries"] - figures["raw_queries"]) / items
    calls, minimum = figures["api_calls"], figures["minimum_calls"]
    calls_ok = calls <= minimum * (1 + TARGET_CALLS_OVER_MINIMUM)
    poll_ok = figures["poll_calls"] == 1 and not figures["poll_writes"]
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
    print(
        f"  extra queries     {extra:10.3f} per item (target <= {TARGET_EXTRA_QUERIES})",
        verdict(extra <= TARGET_EXTRA_QUERIES),
    )
    print(
        f"  API calls         {calls} (paging minimum {minimum} at {figures['page_size']} per page, "
        f"target within 5%; {calls / figures['quota']:.1%} of the {figures['quota']}/h quota)",
        verdict(calls_ok),
    )
    idle = f"{figures['poll_calls']} API call(s), {figures['poll_writes']} writes (target 1 and 0)"
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
