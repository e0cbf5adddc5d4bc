"""The client against Smartsheet's official SDK conformance scenarios.

The scenarios are in ``connector_smartsheet/tests/data/smartsheet_sdk_tests``, next to the emulator.

A small server answers each scenario as Smartsheet's mock server does: the
recorded answer when the request carries exactly the expected body and the query
parameters the scenario lists, a 400 naming the difference otherwise. The rows are built with the connector's
own cell writers, so every row and cell body the connector can send is checked
against what Smartsheet expects; the recorded answers are parsed by the client.
"""

import json
from pathlib import Path

import pytest

from odoo.addons.connector_base.lib.oauth import StaticToken
from odoo.addons.connector_base.tests.emulator import Emulator, Response
from odoo.addons.connector_smartsheet.lib import client as ss
from odoo.addons.connector_smartsheet.lib import links, sheet_rows
from odoo.addons.connector_smartsheet.lib.mapper import Column, cell_value, kept_cells, row_cells
from odoo.addons.connector_smartsheet.tests import emulator

DATA = Path(emulator.__file__).parent / "data" / "smartsheet_sdk_tests"
SCENARIOS = {
    scenario["scenario"]: scenario
    for name in ("rows_scenarios.json", "serialization_scenarios.json")
    for scenario in json.loads((DATA / name).read_text())
}
TEXT = {101: Column(101, "A"), 102: Column(102, "B")}
CHECKS = {101: Column(101, "Done", "CHECKBOX"), 102: Column(102, "B")}
PREDECESSORS = Column(101, "Predecessors", "PREDECESSOR")


class ScenarioServer(Emulator):
    """Answers the one scenario under test, as the SDK test server does."""

    def __init__(self):
        super().__init__()
        self.scenario = None
        for method in ("POST", "PUT"):
            self.router.add(method, "/sheets/{sheet_id}/rows", self.answer)

    def answer(self, request):
        expected = self.scenario["request"]
        wanted_query = expected.get("queryParameters") or {}
        problems = []
        if request.method != expected["method"] or request.path != expected["urlPath"]:
            problems.append(f"{request.method} {request.path} instead of {expected['urlPath']}")
        # As the SDK test server: the parameters a scenario lists must match, others are free.
        if any(request.query.get(key) != value for key, value in wanted_query.items()):
            problems.append(f"query {request.query} instead of {wanted_query}")
        if request.json != expected["body"]:
            problems.append(f"body {request.json} instead of {expected['body']}")
        if problems:
            return Response(400, {"errorCode": 0, "message": "; ".join(problems)})
        recorded = self.scenario["response"]
        return Response(recorded.get("status", 200), recorded["jsonBody"])


@pytest.fixture(scope="module")
def server():
    with ScenarioServer() as server:
        yield server


@pytest.fixture
def play(server):
    """play(name): a client talking to the server answering scenario ``name``."""
    clients = []

    def play(name):
        server.scenario = SCENARIOS[name]
        client = ss.SmartsheetClient(
            server.base_url, token_provider=StaticToken("scenario-token-0123456789"), read_timeout=5
        )
        clients.append(client)
        return client

    yield play
    for client in clients:
        client.close()


def assert_all_written(results, count):
    assert [result.ok for result in results] == [True] * count, results
    assert [result.index for result in results] == list(range(count))


# ---------------------------------------------------------------------- values
@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("Assign Values - String", [("Apple", "Red Fruit"), ("Banana", "Yellow Fruit")]),
        ("Assign Values - Int", None),
        ("Assign Values - Bool", [(True, "This is True"), (False, "This is False")]),
    ],
)
@pytest.mark.parametrize("verb", ["Add", "Update"])
def test_cell_values_are_written_as_the_scenarios_expect(play, verb, name, values):
    scenario = SCENARIOS[f"{verb} Rows - {name}"]
    body = scenario["request"]["body"]
    if values is None:  # the Int scenario: whatever numbers it holds
        values = [tuple(cell["value"] for cell in row["cells"]) for row in body]
    columns = CHECKS if isinstance(values[0][0], bool) else TEXT
    rows = [
        {
            **({"id": sent["id"]} if verb == "Update" else {}),
            "cells": row_cells({"101": a, "102": b}, columns),
        }
        for sent, (a, b) in zip(body, values, strict=True)
    ]
    client = play(scenario["scenario"])

    results = client.add_rows(1, rows) if verb == "Add" else client.update_rows(1, rows)

    assert_all_written(results, len(rows))
    assert [result.row["id"] for result in results] == [
        row["id"] for row in scenario["response"]["jsonBody"]["result"]
    ]


@pytest.mark.parametrize("verb", ["Add", "Update"])
def test_a_hyperlink_cell_is_written_as_its_text_and_url(play, verb):
    name = f"{verb} Rows - Assign Values - Hyperlink"
    recorded = SCENARIOS[name]["response"]["jsonBody"]["result"][0]
    kept = kept_cells(recorded, TEXT)
    record = {
        column.key: cell_value(column.type, cell)
        for cell in recorded["cells"]
        for column in [TEXT[cell["columnId"]]]
    }
    assert record == {"101": "Google", "102": "Bing"}
    row = {"cells": row_cells(record, TEXT, kept)}
    if verb == "Update":
        row = {"id": recorded["id"], **row}
    client = play(name)

    results = client.add_rows(1, [row]) if verb == "Add" else client.update_rows(1, [row])

    assert_all_written(results, 1)


def test_clearing_a_text_cell_sends_an_empty_string(play):
    client = play("Update Rows - Clear Value - Text Number")

    assert_all_written(client.update_rows(1, [{"id": 10, "cells": row_cells({"101": None}, TEXT)}]), 1)


def test_clearing_a_checkbox_sends_an_empty_string_and_reads_false(play):
    client = play("Update Rows - Clear Value - Checkbox")

    results = client.update_rows(1, [{"id": 10, "cells": row_cells({"101": None}, CHECKS)}])

    assert_all_written(results, 1)
    assert cell_value("CHECKBOX", results[0].row["cells"][0]) is False


def test_clearing_a_hyperlink_cell_sends_an_empty_value_and_a_null_link(play):
    kept = {"101": {"hyperlink": {"url": "http://google.com"}}}
    client = play("Update Rows - Clear Value - Hyperlink")

    results = client.update_rows(1, [{"id": 10, "cells": row_cells({"101": ""}, TEXT, kept)}])

    assert_all_written(results, 1)
    assert cell_value("TEXT_NUMBER", results[0].row["cells"][0]) is None


def test_links_to_sheets_and_reports_are_read_as_text_and_written_back_without_their_url():
    recorded = SCENARIOS["Serialization - Rows"]["response"]["jsonBody"]["result"][0]
    columns = {2: Column(2), 3: Column(3), 5: Column(5)}
    kept = kept_cells(recorded, columns)

    assert [cell_value("TEXT_NUMBER", cell) for cell in recorded["cells"]] == [
        "url link",
        "sheet id link",
        "report id link",
    ]
    assert [links.hyperlink_for_write(kept[key]["hyperlink"]) for key in ("2", "3", "5")] == [
        {"url": "https://google.com"},
        {"sheetId": 4},
        {"reportId": 6},
    ]
    # The body the scenario sends for the same cells, apart from the flags the connector never sets.
    sent = row_cells({"2": "url link", "3": "sheet id link", "5": "report id link"}, columns, kept)
    expected = SCENARIOS["Serialization - Rows"]["request"]["body"][0]["cells"]
    assert sent == [{key: value for key, value in cell.items() if key != "strict"} for cell in expected]


# ---------------------------------------------------------------------- images
def test_an_image_cell_reads_as_its_name_and_leaves_its_column_writable():
    recorded = SCENARIOS["Serialization - Image"]["response"]["jsonBody"]
    column = Column(6, "Photo")
    cell = recorded["cells"][0]

    assert cell["formula"].startswith("=SYS_CELLIMAGE(")
    assert cell_value(column.type, cell) == "puppy.jpg"
    assert column.writable
    assert kept_cells(recorded, {6: column}) == {}


# ---------------------------------------------------------------------- predecessors
@pytest.mark.parametrize(
    "name",
    [
        "Add Rows - Assign Object Value - Predecessor List",
        "Add Rows - Assign Object Value - Predecessor List (using floats)",
    ],
)
def test_predecessors_keep_their_type_and_lag_when_written(play, name):
    wanted = SCENARIOS[name]["request"]["body"][0]["cells"][0]["objectValue"]["predecessors"]
    # Read earlier with one more predecessor, which Odoo then removed.
    kept = {"predecessors": [*wanted, {"rowId": 99, "type": "SS"}]}
    cell = links.predecessor_cell(PREDECESSORS.id, [item["rowId"] for item in wanted], kept)
    client = play(name)

    results = client.add_rows(1, [{"cells": [cell]}])

    assert_all_written(results, 1)
    written = results[0].row["cells"][1]
    assert cell_value("PREDECESSOR", written) == written["displayValue"]


def test_clearing_predecessors_sends_a_null_value(play):
    kept = {"predecessors": [{"rowId": 3, "type": "FS"}]}
    cell = links.predecessor_cell(123, [], kept)
    client = play("Update Rows - Clear Value - Predecessor List")

    assert_all_written(client.update_rows(1, [{"id": 10, "cells": [cell]}]), 1)


def test_predecessor_objects_are_read_with_their_row_type_and_lag():
    recorded = SCENARIOS["Serialization - Predecessor"]["response"]["jsonBody"]["result"][0]
    columns = {2: Column(2, "Predecessors", "PREDECESSOR")}
    cell = next(cell for cell in recorded["cells"] if cell["columnId"] == 2)

    kept = kept_cells(recorded, columns)["2"]

    assert links.predecessor_row_ids(kept) == [3]
    assert kept["predecessors"][0]["type"] == "FS"
    assert kept["predecessors"][0]["lag"]["weeks"] == 1.5
    assert "rowNumber" not in kept["predecessors"][0]
    assert cell_value("PREDECESSOR", cell) == "8FS +1.5w 2.5d 3.5h 4.5m 5.5s 6ms"
    # Unchanged predecessors are not written again.
    assert links.predecessor_cell(2, [3], kept) is None


# ---------------------------------------------------------------------- locations
@pytest.mark.parametrize(("where", "location"), [("Top", {"toTop": True}), ("Bottom", {"toBottom": True})])
def test_new_rows_go_to_the_top_or_bottom_with_their_cells(play, where, location):
    client = play(f"Add Rows - Location - {where}")
    row = {**location, "cells": row_cells({"101": "Apple", "102": "Red Fruit"}, TEXT)}

    assert_all_written(client.add_rows(1, [row]), 1)
    if where == "Top":
        assert sheet_rows.new_row_location(None, None) == location


def test_a_moved_row_sends_its_id_and_place_only(play):
    client = play("Update Rows - Location - Bottom")

    assert_all_written(client.update_rows(1, [{"id": 10, **sheet_rows.moved_row_location(None)}]), 1)


# ---------------------------------------------------------------------- refusals
def test_partial_success_names_the_failed_row_with_its_error_and_ref_id(play):
    client = play("Serialization - BulkFailure")
    rows = [
        {"toBottom": True, "cells": row_cells({"2": "Some Value"}, {2: Column(2)})},
        {"toBottom": True, "cells": row_cells({"3": "Some Value"}, {3: Column(3)})},
    ]

    results = client.add_rows(1, rows)

    assert results[0].ok and results[0].row["id"] == 4
    assert results[1] == ss.RowWriteResult(1, None, 1036, "The columnId 3 is invalid.", "abc")


@pytest.mark.parametrize(
    "name",
    [
        "Add Rows - Invalid - Assign Hyperlink URL and SheetId",
        "Update Rows - Invalid - Assign Hyperlink URL and SheetId",
        "Update Rows - Invalid - Assign Hyperlink and Cell Link",
        "Add Rows - Invalid - Assign Value and Formulae",
    ],
)
def test_a_request_refused_for_one_row_fails_that_row_with_smartsheet_detail(play, name):
    scenario = SCENARIOS[name]
    body = scenario["request"]["body"]
    recorded = scenario["response"]["jsonBody"]
    client = play(name)
    write = client.add_rows if scenario["request"]["method"] == "POST" else client.update_rows

    results = write(1, body)

    index = recorded["detail"]["index"]
    refused = results[index]
    assert not refused.ok
    assert (refused.error_code, refused.message, refused.ref_id) == (
        recorded["errorCode"],
        recorded["message"],
        recorded["refId"],
    )
