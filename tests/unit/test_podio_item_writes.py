from datetime import date, datetime

import pytest

from odoo.addons.connector_base.lib.errors import ValidationError
from odoo.addons.connector_base.tests.emulator import EmulatorHTTPError
from odoo.addons.connector_podio.lib.item_writes import (
    category_options,
    created_external_id,
    field_types,
    item_fields,
)
from odoo.addons.connector_podio.tests.emulator import (
    CONTACT_FIELDS,
    STATUS_OPTIONS,
    PodioEmulator,
    app_values,
    category_values,
    date_value,
    email_values,
    location_value,
    money_value,
    phone_values,
    text_value,
)

TYPES = {external_id: kind for external_id, kind, _label, _settings in CONTACT_FIELDS}


def rendered(values):
    emulator = PodioEmulator()
    org = emulator.add_org("Org")
    app_id = emulator.add_app(emulator.add_space(org, "Space"), "Contacts", "Contact")
    return emulator._render(emulator.items[emulator.add_item(app_id, values)])


ANA = {
    "title": text_value("Ana Silva"),
    "email": email_values(("work", "ana@acme.example"), ("home", "ana@home.example")),
    "phone": phone_values(("mobile", "+351 912"), ("work_fax", "+351 000"), ("work", "+351 213")),
    "address": location_value(
        "Rua Augusta 1, 1100-048 Lisboa",
        street_address="Rua Augusta 1",
        postal_code="1100-048",
        city="Lisboa",
    ),
    "budget": money_value(10, "EUR"),
}


def test_only_the_fields_that_differ_are_written():
    item = rendered(ANA)

    assert item_fields({"title": "Ana Silva", "email": "ana@acme.example"}, item, TYPES) == {}
    assert item_fields({"title": "Ana Sousa", "email": "ana@acme.example"}, item, TYPES) == {
        "title": "Ana Sousa"
    }


def test_a_typed_list_keeps_its_other_values_and_replaces_the_mapped_one_in_place():
    item = rendered(ANA)

    written = item_fields({"phone:landline": "+351 214", "phone:mobile": "+351 913"}, item, TYPES)

    assert written == {
        "phone": [
            {"type": "mobile", "value": "+351 913"},
            {"type": "work_fax", "value": "+351 000"},
            {"type": "work", "value": "+351 214"},
        ]
    }
    assert item_fields({"email": "ana@new.example"}, item, TYPES) == {
        "email": [{"type": "work", "value": "ana@new.example"}, {"type": "home", "value": "ana@home.example"}]
    }


def test_a_value_the_item_lacks_is_added_and_an_emptied_one_removed():
    item = rendered({"title": text_value("Bruno"), "email": email_values(("home", "b@home.example"))})

    assert item_fields({"phone:mobile": "+351 9"}, item, TYPES) == {
        "phone": [{"type": "mobile", "value": "+351 9"}]
    }
    assert item_fields({"email": False}, item, TYPES) == {"email": []}


def test_a_location_keeps_its_other_parts_and_its_text_follows_them():
    item = rendered(ANA)

    assert item_fields({"address:city": "Porto"}, item, TYPES) == {
        "address": {
            "street_address": "Rua Augusta 1",
            "postal_code": "1100-048",
            "city": "Porto",
            "value": "Rua Augusta 1, 1100-048, Porto",
        }
    }


def test_a_new_item_gets_its_non_empty_values():
    assert item_fields({"title": "Zoe", "company": False, "email": "zoe@example.com"}, None, TYPES) == {
        "title": "Zoe",
        "email": [{"type": "work", "value": "zoe@example.com"}],
    }


def test_money_keeps_its_currency_and_dates_are_written_in_utc():
    item = rendered(ANA)

    assert item_fields({"budget": 12.5}, item, TYPES) == {"budget": {"value": 12.5, "currency": "EUR"}}
    assert item_fields({"customer-since": date(2025, 3, 15)}, None, TYPES) == {
        "customer-since": {"start_date": "2025-03-15"}
    }
    assert item_fields({"customer-since": datetime(2025, 3, 15, 8, 0)}, None, TYPES) == {
        "customer-since": {"start_utc": "2025-03-15 08:00:00"}
    }


def test_a_new_amount_takes_the_record_s_currency_and_without_one_is_refused():
    assert item_fields({"budget": 12.5}, None, TYPES, currency="USD") == {
        "budget": {"value": 12.5, "currency": "USD"}
    }
    assert item_fields({"budget": 12.5}, rendered(ANA), TYPES, currency="USD") == {
        "budget": {"value": 12.5, "currency": "EUR"}
    }, "the item's currency stays"
    with pytest.raises(ValidationError, match="needs a currency"):
        item_fields({"budget": 12.5}, None, TYPES)


def test_a_field_the_connector_cannot_write_is_refused_by_name():
    with pytest.raises(ValidationError, match="'total'"):
        item_fields({"total": 3}, None, {"total": "calculation"})


def test_field_types_come_from_items_and_app_definitions_alike():
    item = rendered(ANA)

    assert field_types(item["fields"])["phone"] == "phone"
    assert created_external_id("res.partner", 7, "ab12") == "odoo-res-partner-7-ab12"


def rendered_order(values):
    """An item of a sales app (a status category, a customer reference, a delivery window)."""
    emulator = PodioEmulator()
    space = emulator.add_space(emulator.add_org("Org"), "Space")
    contacts = emulator.add_app(space, "Contacts", "Contact")
    customers = [emulator.add_item(contacts, {"title": text_value(name)}) for name in ("Ana", "Bruno")]
    fields = (
        ("title", "text", "Order", {}),
        ("customer", "app", "Customer", {"referenced_apps": [{"app_id": contacts}], "multiple": False}),
        (
            "status",
            "category",
            "Status",
            {
                "multiple": False,
                "options": [{"id": i, "text": t, "status": "active"} for i, t in STATUS_OPTIONS],
            },
        ),
        ("delivery", "date", "Delivery window", {"end": "enabled", "time": "disabled"}),
    )
    app_id = emulator.add_app(space, "Sales", "Order", fields)
    item = emulator._render(
        emulator.items[emulator.add_item(app_id, {**values, "customer": app_values(customers[0])})]
    )
    return item, customers


def test_a_category_is_written_as_the_ids_of_the_options_its_text_names():
    item, _customers = rendered_order({"status": category_values(STATUS_OPTIONS[0])})
    types, options = field_types(item["fields"]), category_options(item["fields"])

    assert item_fields({"status": "Quote"}, item, types, options) == {}
    assert item_fields({"status": "won"}, item, types, options) == {"status": [3]}
    assert item_fields({"status": False}, item, types, options) == {"status": []}
    with pytest.raises(ValidationError, match="no option 'Shipped'"):
        item_fields({"status": "Shipped"}, item, types, options)


def test_an_app_reference_is_written_as_the_item_ids_it_names():
    item, (ana, bruno) = rendered_order({})
    types = field_types(item["fields"])

    assert item_fields({"customer": str(ana)}, item, types) == {}
    assert item_fields({"customer": str(bruno)}, item, types) == {"customer": [bruno]}


def test_a_date_s_end_alone_keeps_the_start_and_midnight_is_the_day_held():
    item, _customers = rendered_order({"delivery": date_value("2025-03-10", "2025-03-14")})
    types = field_types(item["fields"])

    assert item_fields({"delivery:end": datetime(2025, 3, 14)}, item, types) == {}
    assert item_fields({"delivery:end": "2025-03-14T00:00:00Z"}, item, types) == {}, "as a mapping exports it"
    assert item_fields({"delivery:end": "2025-03-20T01:00:00+01:00"}, item, types) == {
        "delivery": {"start_date": "2025-03-10", "end_date": "2025-03-20"}
    }


def test_a_datetime_exported_as_iso_text_is_compared_and_written_in_utc():
    item, _customers = rendered_order({"delivery": date_value("2025-03-01 09:30:00")})
    types = field_types(item["fields"])

    assert item_fields({"delivery": "2025-03-01T10:30:00+01:00"}, item, types) == {}
    assert item_fields({"delivery": "2025-03-02T10:30:00+01:00"}, item, types) == {
        "delivery": {"start_utc": "2025-03-02 09:30:00"}
    }


def test_the_emulator_stores_written_option_and_item_ids_as_podio_returns_them():
    emulator = PodioEmulator()
    space = emulator.add_space(emulator.add_org("Org"), "Space")
    contacts = emulator.add_app(space, "Contacts", "Contact")
    customer = emulator.add_item(contacts, {"title": text_value("Ana")})
    fields = (
        ("title", "text", "Order", {}),
        ("customer", "app", "Customer", {"referenced_apps": [{"app_id": contacts}]}),
        ("status", "category", "Status", {"options": [{"id": 3, "text": "Won", "status": "active"}]}),
    )
    app_id = emulator.add_app(space, "Sales", "Order", fields)

    values = emulator._written_fields(app_id, {"status": [3], "customer": [customer], "title": "A"})

    assert values["status"][0]["value"]["text"] == "Won"
    assert values["customer"] == app_values(customer)
    for refused in ({"status": [9]}, {"customer": 12}):
        with pytest.raises(EmulatorHTTPError) as raised:
            emulator._written_fields(app_id, refused)
        assert raised.value.response.status == 400
