import json
import math

import pytest

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.oauth import StaticToken
from odoo.addons.connector_smartsheet.lib import client as ss
from odoo.addons.connector_smartsheet.tests.emulator import ROWS, SHEET, SmartsheetEmulator

TOKEN = "pat-0123456789abcdef"
AGENT = "odoo-test-agent-1"
COLUMNS = [
    {"title": "Name", "type": "TEXT_NUMBER", "primary": True},
    {"title": "Due", "type": "DATE"},
    {"title": "Tags", "type": "MULTI_PICKLIST", "options": ["A", "B"]},
]


@pytest.fixture
def emulator():
    with SmartsheetEmulator(tokens=(TOKEN,)) as emulator:
        yield emulator


@pytest.fixture
def client(emulator):
    with ss.SmartsheetClient(
        emulator.api_url, token_provider=StaticToken(TOKEN), change_agent=AGENT, read_timeout=5
    ) as client:
        yield client


def make_sheet(emulator, rows=0):
    sheet_id = emulator.add_sheet("Plan", COLUMNS)
    emulator.load_rows(sheet_id, [({"Name": f"Row {index}"}, None) for index in range(rows)])
    return sheet_id


def test_current_user_is_read_with_the_bearer_token(emulator, client):
    assert client.current_user()["email"] == "owner@example.com"
    assert emulator.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_wrong_token_raises_authentication_error_with_smartsheet_code(emulator):
    with (
        ss.SmartsheetClient(emulator.api_url, token_provider=StaticToken("nope")) as client,
        pytest.raises(errors.AuthenticationError) as raised,
    ):
        client.current_user()
    assert raised.value.platform_code == 1002


@pytest.mark.parametrize("rows", [0, 1, 499, 500, 501, 1250])
def test_sheet_pages_use_the_minimum_number_of_calls(emulator, client, rows):
    sheet_id = make_sheet(emulator, rows)

    pages = list(client.iter_sheet_pages(sheet_id, page_size=500))

    assert sum(len(page["rows"]) for page in pages) == rows
    assert emulator.count(SHEET, "GET") == max(1, math.ceil(rows / 500))
    sent = emulator.requests[0].query
    assert (sent["level"], sent["include"]) == ("2", "objectValue")


def test_rows_are_read_by_id_in_one_call(emulator, client):
    sheet_id = make_sheet(emulator, 10)
    wanted = [row.id for row in emulator.sheets[sheet_id].rows[3:6]]

    sheet = client.get_rows(sheet_id, wanted)

    assert [row["id"] for row in sheet["rows"]] == wanted
    assert emulator.count(SHEET, "GET") == 1


def test_version_probe_answers_the_sheet_version(emulator, client):
    sheet_id = make_sheet(emulator, 2)
    before = client.get_sheet_version(sheet_id)
    emulator.update_cells(sheet_id, emulator.sheets[sheet_id].rows[0].id, {"Name": "Changed"})

    assert client.get_sheet_version(sheet_id) == before + 1


def test_writes_carry_the_change_agent_and_reads_do_not(emulator, client):
    sheet_id = make_sheet(emulator, 1)
    name = emulator.column_id(sheet_id, "Name")

    client.get_sheet_version(sheet_id)
    client.add_rows(sheet_id, [{"toBottom": True, "cells": [{"columnId": name, "value": "New"}]}])

    assert ss.CHANGE_AGENT_HEADER not in emulator.requests[0].headers
    assert emulator.requests[1].headers[ss.CHANGE_AGENT_HEADER] == AGENT


def test_bulk_writes_go_500_rows_per_call_with_partial_success(emulator, client):
    sheet_id = make_sheet(emulator)
    name = emulator.column_id(sheet_id, "Name")
    rows = [{"toBottom": True, "cells": [{"columnId": name, "value": f"R{index}"}]} for index in range(1200)]

    results = client.add_rows(sheet_id, rows)

    assert emulator.count(ROWS, "POST") == 3
    assert all(request.query["allowPartialSuccess"] == "true" for request in emulator.requests)
    assert [result.index for result in results] == list(range(1200))
    assert all(result.ok for result in results)
    assert len(emulator.sheets[sheet_id].rows) == 1200


def test_a_failed_row_is_reported_at_its_index_and_the_others_succeed(emulator, client):
    sheet_id = make_sheet(emulator, 3)
    due = emulator.column_id(sheet_id, "Due")
    row_ids = [row.id for row in emulator.sheets[sheet_id].rows]
    emulator.delete_row(sheet_id, row_ids[1])

    results = client.update_rows(
        sheet_id, [{"id": row_id, "cells": [{"columnId": due, "value": "2025-05-01"}]} for row_id in row_ids]
    )

    assert [result.ok for result in results] == [True, False, True]
    assert (results[1].error_code, results[1].message) == (1006, "Not Found")
    assert results[2].row["id"] == row_ids[2]
    assert emulator.cell(sheet_id, row_ids[2], "Due") == "2025-05-01"


def test_rate_limit_answer_is_retried_within_the_call(emulator, client, monkeypatch):
    monkeypatch.setattr(ss, "RATE_LIMIT_PAUSE", 0.05)
    emulator.throttle(times=2)

    assert client.current_user()["email"] == "owner@example.com"
    assert len(emulator.requests) == 3


def test_rate_limit_beyond_the_in_call_retries_is_a_retryable_error(emulator, client, monkeypatch):
    monkeypatch.setattr(ss, "RATE_LIMIT_PAUSE", 0.05)
    emulator.throttle(times=5)

    with pytest.raises(errors.RateLimitedError) as raised:
        client.current_user()
    assert raised.value.platform_code == 4003
    assert raised.value.retry_after == 0.05


@pytest.mark.parametrize("code", [4001, 4002, 4004])
def test_smartsheet_server_errors_are_retryable(emulator, client, code):
    emulator.server_error(code, times=3)

    with pytest.raises(errors.ConnectorError) as raised:
        client.current_user()
    assert raised.value.retryable
    assert raised.value.platform_code == code


def test_discover_pages_through_every_sheet(emulator, client):
    for index in range(5):
        emulator.add_sheet(f"Sheet {index}", COLUMNS)

    names = [sheet["name"] for sheet in client.iter_sheets(page_size=2)]

    assert names == [f"Sheet {index}" for index in range(5)]
    assert emulator.count("/2.0/sheets", "GET") == 3


def test_oauth_hash_is_the_sha256_of_secret_and_code():
    assert ss.oauth_hash("secret", "code") == (
        "875ccbea123ce4cf3682ad9f52be303c7a92c2eddf00e24bbeb583c3bf28765a"
    )


def test_parse_bulk_result_pairs_results_with_their_request_index():
    payload = {
        "message": "PARTIAL_SUCCESS",
        "result": [{"id": 1}, {"id": 3}],
        "failedItems": [{"index": 1, "error": {"errorCode": 1036, "message": "The columnId 42 is invalid."}}],
    }

    results = ss.parse_bulk_result(payload, 3)

    assert [(result.index, result.row, result.error_code) for result in results] == [
        (0, {"id": 1}, None),
        (1, None, 1036),
        (2, {"id": 3}, None),
    ]


def test_a_request_refused_for_one_row_sends_the_others_again(emulator, client):
    sheet_id = make_sheet(emulator, 4)
    due = emulator.column_id(sheet_id, "Due")
    row_ids = [row.id for row in emulator.sheets[sheet_id].rows]
    emulator.request_refusals[row_ids[2]] = (
        1112,
        "hyperlink.url must be null for sheet, report, or Sight hyperlinks.",
    )

    results = client.update_rows(
        sheet_id, [{"id": row_id, "cells": [{"columnId": due, "value": "2025-05-01"}]} for row_id in row_ids]
    )

    assert [result.ok for result in results] == [True, True, False, True]
    refused = results[2]
    assert refused.error_code == 1112
    assert refused.message.startswith("hyperlink.url must be null")
    assert refused.ref_id
    assert emulator.count(ROWS, "PUT") == 2
    assert [emulator.cell(sheet_id, row_id, "Due") for row_id in row_ids] == [
        "2025-05-01",
        "2025-05-01",
        None,
        "2025-05-01",
    ]


def test_a_refused_request_keeps_smartsheet_detail_and_ref_id_in_the_error(emulator, client):
    sheet_id = make_sheet(emulator, 1)
    row_id = emulator.sheets[sheet_id].rows[0].id
    emulator.request_refusals[row_id] = (1163, "If cell.formula is specified, then value must be null.")
    name = emulator.column_id(sheet_id, "Name")

    with pytest.raises(errors.ValidationError) as raised:
        client.put(
            f"/sheets/{sheet_id}/rows", json=[{"id": row_id, "cells": [{"columnId": name, "value": "x"}]}]
        )

    assert raised.value.detail == {"index": 0, "rowId": row_id}
    assert raised.value.ref_id and f"(refId {raised.value.ref_id})" in str(raised.value)


def test_requests_carry_only_the_parameters_they_use(emulator, client):
    sheet_id = make_sheet(emulator, 2)
    name = emulator.column_id(sheet_id, "Name")
    first, second = (row.id for row in emulator.sheets[sheet_id].rows)

    client.update_rows(sheet_id, [{"id": first, "toBottom": True}])
    client.update_rows(sheet_id, [{"id": first, "toTop": True}, {"id": second, "toTop": True}])
    list(client.iter_row_ids(sheet_id, name, page_size=100))
    client.get_rows(sheet_id, [first])

    single, several, row_ids, by_id = emulator.requests
    assert single.query == {} and json.loads(single.body) == [{"id": first, "toBottom": True}]
    assert several.query == {"allowPartialSuccess": "true"}
    assert row_ids.query == {"columnIds": str(name), "page": "1", "pageSize": "100"}
    assert by_id.query == {"include": "objectValue", "level": "2", "rowIds": str(first)}
