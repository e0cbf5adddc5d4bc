from datetime import datetime

import pytest

from odoo.addons.connector_trello.lib import mapper

CARD = {
    "id": "c1",
    "name": "Install printer",
    "desc": "2nd floor, **reception**",
    "closed": False,
    "idList": "l2",
    "labels": [
        {"id": "lb1", "name": "Hardware", "color": "orange"},
        {"id": "lb2", "name": "", "color": "green_dark"},
    ],
    "due": "2025-03-15T17:00:00.000Z",
    "dueComplete": True,
    "start": None,
    "pos": 16384,
    "shortUrl": "https://trello.com/c/xx",
    "customFieldItems": [
        {"idCustomField": "cf1", "value": {"number": "3"}},
        {"idCustomField": "cf2", "idValue": "opt2"},
        {"idCustomField": "unknown", "value": {"text": "ignored"}},
    ],
    "checklists": [
        {
            "name": "Later",
            "pos": 2,
            "checkItems": [{"id": "i3", "name": "Test", "state": "incomplete", "pos": 1}],
        },
        {
            "name": "Setup",
            "pos": 1,
            "checkItems": [
                {"id": "i2", "name": "Driver", "state": "incomplete", "pos": 2},
                {"id": "i1", "name": "Unpack", "state": "complete", "pos": 1},
            ],
        },
    ],
    "attachments": [
        {"id": "a1", "name": "site", "url": "https://example.com", "isUpload": False, "bytes": None},
        {
            "id": "a2",
            "name": "invoice.txt",
            "fileName": "invoice.txt",
            "isUpload": True,
            "bytes": 20,
            "mimeType": "text/plain",
        },
        {"id": "a3", "name": "video.mp4", "fileName": "video.mp4", "isUpload": True, "bytes": 10_000_000},
    ],
}
CUSTOM_FIELDS = {
    "cf1": {"id": "cf1", "name": "Estimate", "type": "number"},
    "cf2": {
        "id": "cf2",
        "name": "Priority",
        "type": "list",
        "options": [
            {"id": "opt1", "value": {"text": "Low"}},
            {"id": "opt2", "value": {"text": "High"}},
        ],
    },
}


def test_a_card_becomes_a_flat_record_with_html_description_and_named_custom_fields():
    record = mapper.card_record(CARD, CUSTOM_FIELDS)

    assert record["desc"] == "<p>2nd floor, <strong>reception</strong></p>"
    assert record["customField:Estimate"] == "3"
    assert record["customField:Priority"] == "High"
    assert "customField:unknown" not in str(record)
    assert (record["idList"], record["dueComplete"], record["open"]) == ("l2", "true", True)


def test_labels_get_names_even_without_one_and_the_nearest_odoo_colour():
    assert mapper.card_labels(CARD) == [
        {"id": "lb1", "name": "Hardware", "color": "orange"},
        {"id": "lb2", "name": "Green dark", "color": "green_dark"},
    ]
    assert [
        mapper.odoo_color(color) for color in ("red", "orange", "green_dark", "sky_light", None, "weird")
    ] == [
        1,
        2,
        10,
        4,
        0,
        0,
    ]
    assert mapper.trello_color(mapper.odoo_color("pink")) == "pink"
    assert mapper.trello_color(0) is None


def test_check_items_come_checklist_by_checklist_in_position_order():
    items = mapper.check_items(CARD)

    assert [(item["name"], item["done"], item["sequence"]) for item in items] == [
        ("Unpack", True, 1),
        ("Driver", False, 2),
        ("Test", False, 3),
    ]
    assert items[0]["checklist"] == "Setup"


def test_only_small_uploaded_files_are_downloaded_links_and_big_files_stay_urls():
    found = {item["id"]: item for item in mapper.attachments(CARD, size_limit=1024)}

    assert [found[key]["download"] for key in ("a1", "a2", "a3")] == [False, True, False]
    assert found["a1"]["url"] == "https://example.com"
    assert found["a2"]["mimetype"] == "text/plain"


def test_comments_keep_their_author_and_become_html():
    actions = [
        {"id": "x1", "type": "updateCard", "data": {}},
        {
            "id": "x2",
            "type": "commentCard",
            "date": "2025-03-04T10:20:00.000Z",
            "idMemberCreator": "m1",
            "data": {"text": "Printer **arrived**", "card": {"id": "c1"}},
            "memberCreator": {"id": "m1", "username": "ana", "fullName": "Ana Silva"},
        },
    ]

    assert mapper.comments(actions) == [
        {
            "id": "x2",
            "card_id": "c1",
            "html": "<p>Printer <strong>arrived</strong></p>",
            "date": datetime(2025, 3, 4, 10, 20),
            "member_id": "m1",
            "member_name": "Ana Silva",
        }
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-15T17:00:00.000Z", datetime(2025, 3, 15, 17, 0)),
        ("2025-03-15T19:00:00.000+02:00", datetime(2025, 3, 15, 17, 0)),
        ("2025-03-15T17:00:00.999Z", datetime(2025, 3, 15, 17, 0)),
        (None, None),
    ],
)
def test_trello_dates_become_naive_utc(text, expected):
    assert mapper.parse_datetime(text) == expected


def test_card_updates_are_sent_in_trello_form():
    update = mapper.card_update(
        {
            "name": "N",
            "desc": "<p><b>x</b></p>",
            "due": None,
            "idLabels": ["a", "b"],
            "open": False,
            "dueComplete": "Changes Requested",
            "start": datetime(2025, 1, 2, 3, 4, 5),
        }
    )

    assert update == {
        "name": "N",
        "desc": "**x**",
        "due": "null",
        "idLabels": "a,b",
        "closed": "true",
        "dueComplete": "false",
        "start": "2025-01-02T03:04:05.000Z",
    }
    assert mapper.card_update({"dueComplete": "true", "open": True}) == {
        "dueComplete": "true",
        "closed": "false",
    }


def test_custom_field_values_are_written_in_the_shape_of_their_type():
    estimate, priority = CUSTOM_FIELDS["cf1"], CUSTOM_FIELDS["cf2"]

    assert mapper.custom_field_item(estimate, 3.0) == {"value": {"number": "3"}}
    assert mapper.custom_field_item(estimate, "3") == mapper.custom_field_item(estimate, 3.0)
    assert mapper.custom_field_item(priority, "Low") == {"idValue": "opt1"}
    assert mapper.custom_field_item(priority, False) == {"idValue": ""}
    assert mapper.custom_field_item({"type": "checkbox"}, True) == {"value": {"checked": "true"}}


def test_actions_are_routed_to_their_card_or_to_the_board():
    assert mapper.action_target({"type": "commentCard", "data": {"card": {"id": "c1"}}}) == ("card", "c1")
    assert mapper.action_target({"type": "updateList", "data": {"board": {"id": "b1"}}}) == ("board", "b1")
    assert mapper.action_target({"type": "voteOnCard", "data": {"card": {"id": "c1"}}}) == (None, None)


def test_comments_copied_with_a_card_are_comments_too():
    copied = {
        "id": "a2",
        "type": "copyCommentCard",
        "date": "2025-03-04T10:20:00.000Z",
        "idMemberCreator": "m1",
        "data": {"text": "Copied **note**", "card": {"id": "c2", "name": "Copy"}},
        "memberCreator": {"id": "m1", "fullName": "Ana Silva"},
    }

    [comment] = mapper.comments([copied, {"id": "a3", "type": "copyCard", "data": {"card": {"id": "c2"}}}])

    assert (comment["id"], comment["card_id"], comment["html"]) == (
        "a2",
        "c2",
        "<p>Copied <strong>note</strong></p>",
    )


def test_an_upload_without_file_name_nor_type_is_named_and_typed_from_its_stored_name():
    card = {
        "attachments": [
            {
                "id": "f1",
                "bytes": 9,
                "isUpload": True,
                "mimeType": None,
                "name": "Quarterly scan",
                "url": "https://trello.com/1/cards/c1/attachments/f1/download/scan%202024.pdf",
            },
            {
                "id": "f2",
                "bytes": 4,
                "isUpload": True,
                "mimeType": None,
                "name": "notes.txt",
                "url": "https://trello.com/1/cards/c1/attachments/f2/download/image.png",
            },
        ]
    }

    scan, notes = mapper.attachments(card, 1024)

    assert (scan["name"], scan["file_name"], scan["mimetype"]) == (
        "scan 2024.pdf",
        "scan 2024.pdf",
        "application/pdf",
    )
    assert scan["download"]
    assert (notes["name"], notes["file_name"], notes["mimetype"]) == ("notes.txt", "image.png", "image/png")
