"""The sales sample's field types, as the emulator answers them, to the flat record."""

from datetime import date, datetime

from odoo.addons.connector_podio.lib.mapper import FIELD_KEYS, item_files, item_record
from odoo.addons.connector_podio.tests.emulator import (
    CHANNEL_OPTIONS,
    STATUS_OPTIONS,
    PodioEmulator,
    app_values,
    category_values,
    contact_values,
    date_value,
    embed_value,
    file_values,
    int_value,
    load_sales_sample,
    load_sample,
    number_value,
    text_value,
)


def sales_item(values):
    """(emulator, rendered sales item) with ``values`` on top of a title."""
    emulator = PodioEmulator()
    contacts_app = load_sample(emulator)
    sales_app, _lines_app = load_sales_sample(emulator, contacts_app)
    item_id = emulator.add_item(sales_app, {"title": text_value("Order"), **values})
    return emulator, emulator._render(emulator.items[item_id])


def contact_of(emulator):
    return next(
        item_id for item_id, item in emulator.items.items() if item["app"]["name"] == "Leads &amp; Clients"
    )


def test_an_app_reference_gives_the_referenced_item_id_and_title():
    emulator = PodioEmulator()
    contacts_app = load_sample(emulator)
    sales_app, _lines = load_sales_sample(emulator, contacts_app)
    customer = contact_of(emulator)
    item_id = emulator.add_item(sales_app, {"title": text_value("Order"), "customer": app_values(customer)})

    record = item_record(emulator._render(emulator.items[item_id]))

    assert (record["customer"], record["customer:title"]) == (str(customer), "Ana Silva")


def test_several_app_references_give_a_list_of_item_ids():
    emulator = PodioEmulator()
    contacts_app = load_sample(emulator)
    sales_app, _lines = load_sales_sample(emulator, contacts_app)
    first, second = list(emulator.items)[:2]
    item_id = emulator.add_item(
        sales_app, {"title": text_value("Order"), "customer": app_values(first, second)}
    )

    record = item_record(emulator._render(emulator.items[item_id]))

    assert record["customer"] == [str(first), str(second)]


def test_categories_single_and_multiple_give_texts_and_option_ids():
    _emulator, item = sales_item(
        {"status": category_values(STATUS_OPTIONS[2]), "channels": category_values(*CHANNEL_OPTIONS[:2])}
    )

    record = item_record(item)

    assert (record["status"], record["status:ids"]) == ("Won", [3])
    assert (record["channels"], record["channels:ids"]) == (["Online", "Phone"], [1, 2])


def test_a_contact_gives_the_profile_name_first_email_and_ids():
    _emulator, item = sales_item({"salesperson": contact_values((112233, "Ana Silva", ["ana@example.com"]))})

    record = item_record(item)

    assert (record["salesperson"], record["salesperson:email"], record["salesperson:ids"]) == (
        "Ana Silva",
        "ana@example.com",
        [112233],
    )


def test_duration_progress_and_a_number_shaped_calculation_are_numbers():
    _emulator, item = sales_item(
        {"effort": int_value(5400), "progress": int_value(40), "expected-total": number_value(1031)}
    )

    record = item_record(item)

    assert (record["effort"], record["progress"], record["expected-total"]) == (5400, 40, 1031)


def test_a_date_shaped_calculation_is_a_date_from_its_utc_keys():
    _emulator, item = sales_item({"follow-up": date_value("2025-03-20 23:30:00")})

    record = item_record(item)

    assert record["follow-up"] == datetime(2025, 3, 20, 23, 30)


def test_a_date_shaped_calculation_without_utc_keys_gives_its_day():
    _emulator, item = sales_item({})
    item["fields"].append(
        {
            "field_id": 1,
            "external_id": "follow-up",
            "type": "calculation",
            "values": [{"start": "2025-03-20 00:00:00", "start_date": "2025-03-20", "start_time": None}],
        }
    )

    assert item_record(item)["follow-up"] == date(2025, 3, 20)


def test_a_date_range_gives_its_end_and_a_date_without_end_none():
    _emulator, item = sales_item(
        {"delivery": date_value("2025-03-10", "2025-03-14"), "order-date": date_value("2025-03-01 09:30:00")}
    )

    record = item_record(item)

    assert (record["delivery"], record["delivery:end"]) == (date(2025, 3, 10), date(2025, 3, 14))
    assert record["order-date"] == datetime(2025, 3, 1, 9, 30) and "order-date:end" not in record


def test_a_link_gives_its_url_and_title():
    _emulator, item = sales_item({"quote-link": embed_value(9001, "https://example.com/q/1", "Quote")})

    record = item_record(item)

    assert (record["quote-link"], record["quote-link:title"]) == ("https://example.com/q/1", "Quote")


def test_images_and_files_give_their_names_and_item_files_lists_them():
    emulator = PodioEmulator()
    contract = emulator.add_file("contract.pdf", b"%PDF-1.4", "application/pdf")
    photo = emulator.add_file("shop.png", b"\x89PNG", "image/png")
    contacts_app = load_sample(emulator)
    sales_app, _lines = load_sales_sample(emulator, contacts_app)
    item_id = emulator.add_item(
        sales_app,
        {"title": text_value("Order"), "contract": file_values(contract), "photo": file_values(photo)},
    )
    item = emulator._render(emulator.items[item_id])

    record = item_record(item)

    assert (record["contract"], record["photo"]) == ("contract.pdf", "shop.png")
    assert [(key, file["file_id"], file["size"]) for key, file in item_files(item)] == [
        ("contract", contract["file_id"], 8),
        ("photo", photo["file_id"], 4),
    ]


def test_every_typed_part_the_record_gives_is_listed_for_the_mapping_form():
    _emulator, item = sales_item(
        {
            "salesperson": contact_values((1, "Ana", ["a@example.com"])),
            "quote-link": embed_value(1, "https://x.example", "X"),
        }
    )
    record = item_record(item)
    kinds = {field["external_id"]: field["type"] for field in item["fields"]}

    parts = {
        key.partition(":")[2]
        for key in record
        if ":" in key and kinds.get(key.partition(":")[0]) in FIELD_KEYS
    }
    listed = {part.lstrip(":") for kind in FIELD_KEYS.values() for part in kind}

    assert parts <= listed
