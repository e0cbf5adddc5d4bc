from datetime import date, datetime

from odoo.addons.connector_podio.lib.mapper import item_record, plain_text, unescape
from odoo.addons.connector_podio.tests.emulator import (
    PodioEmulator,
    date_value,
    email_values,
    location_value,
    money_value,
    number_value,
    phone_values,
    text_value,
)


def rendered(values):
    """An item as the emulator answers it, built from field values in Podio's shapes."""
    emulator = PodioEmulator()
    org = emulator.add_org("Org")
    app_id = emulator.add_app(emulator.add_space(org, "Space"), "Contacts", "Contact")
    return emulator._render(emulator.items[emulator.add_item(app_id, values)])


def test_text_values_lose_their_html_and_escapes():
    record = item_record(
        rendered({"title": text_value("<p>Ana &amp; Bruno</p>"), "company": text_value("Acme")})
    )

    assert record["title"] == "Ana & Bruno" and record["company"] == "Acme"


def test_typed_lists_give_the_first_value_and_the_first_of_each_type():
    record = item_record(
        rendered(
            {
                "title": text_value("Ana"),
                "email": email_values(("home", "ana@home.example"), ("work", "ana@work.example")),
                "phone": phone_values(
                    ("work_fax", "+1 1"), ("mobile", "+1 2"), ("work", "+1 3"), ("mobile", "+1 4")
                ),
            }
        )
    )

    assert record["email"] == "ana@home.example" and record["email:work"] == "ana@work.example"
    assert record["phone:mobile"] == "+1 2"
    assert record["phone:landline"] == "+1 3"  # faxes are not lines to call


def test_a_location_gives_its_parts():
    record = item_record(
        rendered(
            {
                "title": text_value("Ana"),
                "address": location_value(
                    "Rua Augusta 1, Lisboa",
                    street_address="Rua Augusta 1",
                    postal_code="1100-048",
                    city="Lisboa",
                    country="Portugal",
                ),
            }
        )
    )

    assert (
        record["address:street"],
        record["address:zip"],
        record["address:city"],
        record["address:country"],
    ) == (
        "Rua Augusta 1",
        "1100-048",
        "Lisboa",
        "Portugal",
    )


def test_dates_come_from_the_utc_keys_and_have_no_end_when_absent():
    with_time = item_record(
        rendered({"title": text_value("Ana"), "customer-since": date_value("2025-03-15 23:30:00")})
    )
    day_only = item_record(
        rendered({"title": text_value("Ana"), "customer-since": date_value("2025-03-15", "2025-03-20")})
    )

    # The local keys say 2025-03-16 00:30 (the API user's time zone): never read them.
    assert with_time["customer-since"] == datetime(2025, 3, 15, 23, 30)
    assert "customer-since:end" not in with_time
    assert (day_only["customer-since"], day_only["customer-since:end"]) == (
        date(2025, 3, 15),
        date(2025, 3, 20),
    )


def test_numbers_money_and_categories():
    record = item_record(
        rendered(
            {
                "title": text_value("Ana"),
                "score": number_value(12.5),
                "budget": money_value(1250.5, "EUR"),
                "status": [{"value": {"id": 2, "text": "Customer", "status": "active", "color": "FFD5C2"}}],
            }
        )
    )

    assert record["score"] == 12.5
    assert (record["budget"], record["budget:currency"]) == (1250.5, "EUR")
    assert (record["status"], record["status:ids"]) == ("Customer", [2])


def test_the_item_keys_are_its_id_revision_and_edit_time():
    item = rendered({"title": text_value("Ana")})
    record = item_record(item)

    assert record["id"] == str(item["item_id"]) and record["revision"] == 0
    assert record["last_event_on"] == datetime.strptime(item["last_event_on"], "%Y-%m-%d %H:%M:%S")


def test_unescape_and_plain_text_read_podio_escaped_names():
    assert unescape("Leads &amp; Clients") == "Leads & Clients"
    assert plain_text("Line 1<br>Line 2") == "Line 1\nLine 2"
