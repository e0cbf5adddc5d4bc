from datetime import date, datetime

import pytest

from odoo.addons.connector_smartsheet.lib import mapper
from odoo.addons.connector_smartsheet.lib.mapper import (
    Column,
    cell_for_write,
    cell_value,
    row_cells,
    row_record,
)


@pytest.mark.parametrize(
    ("column_type", "cell", "expected"),
    [
        ("TEXT_NUMBER", {"value": "Install printer"}, "Install printer"),
        ("TEXT_NUMBER", {"value": 12.5, "displayValue": "$12.50"}, 12.5),
        ("TEXT_NUMBER", {}, None),
        (
            "TEXT_NUMBER",
            {"value": "Spec", "displayValue": "Spec", "hyperlink": {"url": "https://example.com/spec"}},
            "Spec",
        ),
        ("TEXT_NUMBER", {"hyperlink": {"url": "https://example.com/spec"}}, "https://example.com/spec"),
        ("DATE", {"value": "2025-03-15"}, "2025-03-15"),
        ("DATETIME", {"value": "2025-03-04T10:14:59Z"}, "2025-03-04T10:14:59Z"),
        ("ABSTRACT_DATETIME", {"value": "2025-03-15T08:00:00"}, "2025-03-15T08:00:00"),
        ("CHECKBOX", {"value": True}, True),
        ("CHECKBOX", {}, False),
        ("PICKLIST", {"value": "In Progress"}, "In Progress"),
        (
            "MULTI_PICKLIST",
            {"objectValue": {"objectType": "MULTI_PICKLIST", "values": ["Urgent", "Customer"]}},
            ["Urgent", "Customer"],
        ),
        ("MULTI_PICKLIST", {"value": "Urgent, Customer"}, ["Urgent", "Customer"]),
        ("MULTI_PICKLIST", {}, None),
        (
            "CONTACT_LIST",
            {
                "value": "ana@example.com",
                "objectValue": {"objectType": "CONTACT", "email": "ana@example.com"},
            },
            "ana@example.com",
        ),
        ("CONTACT_LIST", {"value": "ana@example.com", "displayValue": "Ana"}, "ana@example.com"),
        (
            "MULTI_CONTACT_LIST",
            {
                "objectValue": {
                    "objectType": "MULTI_CONTACT",
                    "values": [{"email": "a@example.com"}, {"email": "b@example.com"}],
                }
            },
            ["a@example.com", "b@example.com"],
        ),
        ("DURATION", {"value": "3d"}, "3d"),
        ("PREDECESSOR", {"value": "2FS +1d", "displayValue": "2FS +1d"}, "2FS +1d"),
    ],
)
def test_cell_value_by_column_type(column_type, cell, expected):
    assert cell_value(column_type, cell) == expected


def test_row_record_keys_cells_by_column_id_and_keeps_the_row_place():
    columns = {1: Column(1, "Name", primary=True), 2: Column(2, "Done", "CHECKBOX")}
    row = {
        "id": 10,
        "parentId": 5,
        "siblingId": 7,
        "rowNumber": 4,
        "modifiedAt": "2025-03-04T10:20:12Z",
        "cells": [
            {"columnId": 1, "value": "Task"},
            {"columnId": 2, "value": True},
            {"columnId": 99, "value": "x"},
        ],
    }

    assert row_record(row, columns) == {
        "id": 10,
        "parentId": 5,
        "siblingId": 7,
        "rowNumber": 4,
        "modifiedAt": "2025-03-04T10:20:12Z",
        "1": "Task",
        "2": True,
    }


@pytest.mark.parametrize(
    "column",
    [
        Column(1, "Ticket", system_type="AUTO_NUMBER"),
        Column(2, "Modified", "DATETIME", system_type="MODIFIED_DATE"),
        Column(3, "Cost", formula="=[Hours]@row * 80"),
        Column(4, "Predecessors", "PREDECESSOR"),
    ],
)
def test_computed_columns_are_never_written(column):
    assert not column.writable
    assert cell_for_write(column, "anything") is None


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        (Column(1, type="TEXT_NUMBER"), "Task", {"value": "Task"}),
        (Column(1, type="TEXT_NUMBER"), 4.5, {"value": 4.5}),
        (Column(1, type="TEXT_NUMBER"), "https://example.com/a", {"value": "https://example.com/a"}),
        (Column(1, type="TEXT_NUMBER"), None, {"value": ""}),
        (Column(1, type="DATE"), "2025-03-15", {"value": "2025-03-15"}),
        (Column(1, type="DATE"), "2025-03-15T09:00:00+02:00", {"value": "2025-03-15"}),
        (Column(1, type="DATE"), date(2025, 3, 15), {"value": "2025-03-15"}),
        (Column(1, type="ABSTRACT_DATETIME"), datetime(2025, 3, 15, 8), {"value": "2025-03-15"}),
        (Column(1, type="CHECKBOX"), True, {"value": True}),
        (Column(1, type="CHECKBOX"), None, {"value": ""}),
        (Column(1, type="CHECKBOX"), False, {"value": False}),
        (Column(1, type="CHECKBOX"), "false", {"value": False}),
        (Column(1, type="CHECKBOX"), "true", {"value": True}),
        (Column(1, type="PICKLIST"), "Done", {"value": "Done"}),
        (
            Column(1, type="MULTI_PICKLIST"),
            ["Urgent", "Customer"],
            {"objectValue": {"objectType": "MULTI_PICKLIST", "values": ["Urgent", "Customer"]}},
        ),
        (Column(1, type="MULTI_PICKLIST"), [], {"value": ""}),
        (
            Column(1, type="CONTACT_LIST"),
            ["ana@example.com"],
            {"objectValue": {"objectType": "CONTACT", "email": "ana@example.com"}},
        ),
        (
            Column(1, type="MULTI_CONTACT_LIST"),
            ["a@example.com", "b@example.com"],
            {
                "objectValue": {
                    "objectType": "MULTI_CONTACT",
                    "values": [
                        {"objectType": "CONTACT", "email": "a@example.com"},
                        {"objectType": "CONTACT", "email": "b@example.com"},
                    ],
                }
            },
        ),
        (Column(1, type="DURATION"), "3d", {"value": "3d"}),
    ],
)
def test_cell_for_write_by_column_type(column, value, expected):
    assert cell_for_write(column, value) == {"columnId": 1, **expected}


def test_row_cells_skip_unknown_and_computed_columns():
    columns = {1: Column(1, "Name"), 2: Column(2, "Ticket", system_type="AUTO_NUMBER")}

    cells = row_cells({"1": "Task", "2": "TCK-1", "3": "ghost", "parentId": 4}, columns)

    assert cells == [{"columnId": 1, "value": "Task"}]


def test_a_text_written_into_a_link_cell_keeps_the_link():
    columns = {1: Column(1, "Spec")}
    kept = {"1": {"hyperlink": {"url": "https://example.com/spec"}}}

    assert row_cells({"1": "Spec v2"}, columns, kept) == [
        {"columnId": 1, "value": "Spec v2", "hyperlink": {"url": "https://example.com/spec"}}
    ]
    assert row_cells({"1": False}, columns, kept) == [{"columnId": 1, "value": "", "hyperlink": None}]


def test_kept_cells_hold_links_and_predecessors_only():
    columns = {1: Column(1, "Spec"), 2: Column(2, "Predecessors", "PREDECESSOR"), 3: Column(3, "Photo")}
    row = {
        "id": 9,
        "cells": [
            {"columnId": 1, "value": "Spec", "hyperlink": {"url": "https://example.com/spec"}},
            {
                "columnId": 2,
                "value": "2FS +2d",
                "objectValue": {
                    "objectType": "PREDECESSOR_LIST",
                    "predecessors": [
                        {
                            "rowId": 5,
                            "rowNumber": 2,
                            "type": "FS",
                            "lag": {"objectType": "DURATION", "days": 2},
                        }
                    ],
                },
            },
            {"columnId": 3, "value": "a.png", "formula": '=SYS_CELLIMAGE("a.png","x",1,1,"a.png")'},
        ],
    }

    assert mapper.kept_cells(row, columns) == {
        "1": {"hyperlink": {"url": "https://example.com/spec"}},
        "2": {"predecessors": [{"rowId": 5, "type": "FS", "lag": {"objectType": "DURATION", "days": 2}}]},
    }


def test_column_from_api_payload():
    column = Column.from_api(
        {"id": 7, "index": 2, "title": "Status", "type": "PICKLIST", "options": ["A", "B"], "primary": True}
    )

    assert column == Column(7, "Status", "PICKLIST", ("A", "B"), "", True, "", 2)
    assert column.key == "7"
