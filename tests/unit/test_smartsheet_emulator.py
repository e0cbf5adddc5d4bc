"""The Smartsheet emulator behaves as the platform notes say, so Odoo tests can trust it."""

import hashlib
import hmac
import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from odoo.addons.connector_base.tests.emulator import Emulator, Response
from odoo.addons.connector_smartsheet.tests.emulator import SIGNATURE_HEADER, DemoPages, SmartsheetEmulator

TOKEN = "pat-emulator"
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
COLUMNS = [
    {"title": "Name", "type": "TEXT_NUMBER", "primary": True},
    {"title": "Tags", "type": "MULTI_PICKLIST", "options": ["A", "B"]},
    {"title": "People", "type": "MULTI_CONTACT_LIST"},
    {"title": "Due", "type": "DATE"},
]


class Receiver(Emulator):
    """Odoo's webhook route, as far as the emulator can tell: answers challenges, records callbacks."""

    def __init__(self, answer="header"):
        super().__init__()
        self.answer = answer
        self.received = []
        self.router.add("POST", "/hook", self.hook)

    def hook(self, request):
        challenge = request.headers.get("Smartsheet-Hook-Challenge")
        if challenge:
            if self.answer == "header":
                return Response(200, "", {"Smartsheet-Hook-Response": challenge})
            if self.answer == "body":
                return {"smartsheetHookResponse": challenge}
            return Response(200, "no")
        self.received.append(request)
        return Response(200, "ok")


@pytest.fixture
def emulator():
    with SmartsheetEmulator(tokens=(TOKEN,)) as emulator:
        yield emulator


def api(emulator, method, path, **kwargs):
    response = requests.request(method, emulator.api_url + path, headers=HEADERS, timeout=10, **kwargs)
    return response.status_code, response.json() if response.content else None


def names(emulator, sheet_id):
    sheet = emulator.sheets[sheet_id]
    name = emulator.column_id(sheet_id, "Name")
    return [
        (row.cells[name]["value"], row.parent_id and sheet.row(row.parent_id).cells[name]["value"])
        for row in sheet.rows
    ]


@pytest.fixture
def tree(emulator):
    """A (B (C), D), E."""
    sheet_id = emulator.add_sheet("Tree", COLUMNS)
    a = emulator.add_row(sheet_id, {"Name": "A"})
    b = emulator.add_row(sheet_id, {"Name": "B"}, parent_id=a)
    emulator.add_row(sheet_id, {"Name": "C"}, parent_id=b)
    emulator.add_row(sheet_id, {"Name": "D"}, parent_id=a)
    emulator.add_row(sheet_id, {"Name": "E"})
    return sheet_id


def test_rows_serialise_parent_sibling_and_row_number(emulator, tree):
    _status, sheet = api(emulator, "GET", f"/sheets/{tree}")
    rows = {row["cells"][0]["value"]: row for row in sheet["rows"]}

    assert [row["rowNumber"] for row in sheet["rows"]] == [1, 2, 3, 4, 5]
    assert rows["D"]["parentId"] == rows["A"]["id"]
    assert rows["D"]["siblingId"] == rows["B"]["id"]
    assert "siblingId" not in rows["B"]
    assert rows["E"]["siblingId"] == rows["A"]["id"]


def test_added_rows_go_where_their_location_says_and_stay_together(emulator, tree):
    name = emulator.column_id(tree, "Name")
    by_name = {
        value: emulator.sheets[tree].rows[index].id for index, (value, _p) in enumerate(names(emulator, tree))
    }

    def add(location, *values):
        rows = [{**location, "cells": [{"columnId": name, "value": value}]} for value in values]
        return api(emulator, "POST", f"/sheets/{tree}/rows", json=rows)

    add({"siblingId": by_name["B"]}, "B2", "B3")
    add({"parentId": by_name["B"]}, "C0")
    add({"parentId": by_name["A"], "toBottom": True}, "D2")
    add({"toTop": True}, "Top")

    assert names(emulator, tree) == [
        ("Top", None),
        ("A", None),
        ("B", "A"),
        ("C0", "B"),
        ("C", "B"),
        ("B2", "A"),
        ("B3", "A"),
        ("D", "A"),
        ("D2", "A"),
        ("E", None),
    ]


def test_moving_a_row_moves_its_children_along(emulator, tree):
    rows = {
        value: emulator.sheets[tree].rows[index].id for index, (value, _p) in enumerate(names(emulator, tree))
    }

    status, _body = api(
        emulator,
        "PUT",
        f"/sheets/{tree}/rows",
        json=[{"id": rows["B"], "parentId": rows["E"], "toBottom": True}],
    )

    assert status == 200
    assert names(emulator, tree) == [("A", None), ("D", "A"), ("E", None), ("B", "E"), ("C", "B")]


def test_mixed_location_specifiers_in_one_request_are_refused(emulator, tree):
    name = emulator.column_id(tree, "Name")
    status, body = api(
        emulator,
        "POST",
        f"/sheets/{tree}/rows",
        json=[{"toTop": True, "cells": [{"columnId": name, "value": "x"}]}, {"toBottom": True, "cells": []}],
    )

    assert status == 400
    assert body["errorCode"] == 1062


def test_without_partial_success_one_bad_row_fails_the_whole_call(emulator, tree):
    due = emulator.column_id(tree, "Due")
    row_ids = [row.id for row in emulator.sheets[tree].rows]
    rows = [{"id": row_ids[0], "cells": [{"columnId": due, "value": "2025-01-01"}]}]
    rows.append({"id": row_ids[1], "cells": [{"columnId": due, "value": "not a date"}]})

    status, body = api(emulator, "PUT", f"/sheets/{tree}/rows", json=rows)

    assert status == 400
    assert (body["errorCode"], body["detail"]) == (1042, {"index": 1, "rowId": row_ids[1]})
    assert emulator.cell(tree, row_ids[0], "Due") is None


def test_multi_value_columns_only_show_their_type_at_level_2(emulator):
    sheet_id = emulator.add_sheet(
        "Multi", COLUMNS, [{"Name": "x", "Tags": ["A", "B"], "People": ["a@x.com"]}]
    )

    _status, legacy = api(emulator, "GET", f"/sheets/{sheet_id}")
    _status, full = api(emulator, "GET", f"/sheets/{sheet_id}", params={"level": 2, "include": "objectValue"})

    assert [column["type"] for column in legacy["columns"]][1:3] == ["TEXT_NUMBER", "TEXT_NUMBER"]
    assert legacy["rows"][0]["cells"][1] == {
        "columnId": legacy["columns"][1]["id"],
        "value": "A, B",
        "displayValue": "A, B",
    }
    assert [column["type"] for column in full["columns"]][1:3] == ["MULTI_PICKLIST", "MULTI_CONTACT_LIST"]
    assert full["rows"][0]["cells"][1]["objectValue"] == {
        "objectType": "MULTI_PICKLIST",
        "values": ["A", "B"],
    }
    assert full["rows"][0]["cells"][2]["objectValue"]["values"][0]["email"] == "a@x.com"


def test_version_probe_and_rows_modified_since(emulator, tree):
    _status, sheet = api(emulator, "GET", f"/sheets/{tree}")
    unchanged = api(emulator, "GET", f"/sheets/{tree}", params={"ifVersionAfter": sheet["version"]})[1]
    assert unchanged == {"version": sheet["version"]}

    target = emulator.sheets[tree].rows[2]
    since = target.modified_at
    for row in emulator.sheets[tree].rows:
        row.modified_at = row.modified_at.replace(year=2020)
    emulator.update_cells(tree, target.id, {"Name": "C!"})

    _status, changed = api(
        emulator, "GET", f"/sheets/{tree}", params={"rowsModifiedSince": since.strftime("%Y-%m-%dT%H:%M:%SZ")}
    )
    assert [row["id"] for row in changed["rows"]] == [target.id]
    assert api(emulator, "GET", f"/sheets/{tree}/version")[1] == {"version": sheet["version"] + 1}


def test_enabling_a_webhook_runs_the_verification_challenge():
    for answer, verified in (("header", True), ("body", True), ("nothing", False)):
        with SmartsheetEmulator(tokens=(TOKEN,)) as emulator, Receiver(answer) as receiver:
            sheet_id = emulator.add_sheet("S", COLUMNS)
            _status, created = api(
                emulator,
                "POST",
                "/webhooks",
                json={
                    "name": "hook",
                    "callbackUrl": receiver.url("/hook"),
                    "scope": "sheet",
                    "scopeObjectId": sheet_id,
                    "events": ["*.*"],
                    "version": 1,
                },
            )
            assert created["result"]["status"] == "NEW_NOT_VERIFIED"

            _status, enabled = api(
                emulator, "PUT", f"/webhooks/{created['result']['id']}", json={"enabled": True}
            )

            expected = "ENABLED" if verified else "DISABLED_VERIFICATION_FAILED"
            assert (enabled["result"]["enabled"], enabled["result"]["status"]) == (verified, expected)


def test_callbacks_are_signed_skinny_and_carry_the_change_agent(emulator, tree):
    with Receiver() as receiver:
        _status, created = api(
            emulator,
            "POST",
            "/webhooks",
            json={
                "name": "hook",
                "callbackUrl": receiver.url("/hook"),
                "scope": "sheet",
                "scopeObjectId": tree,
                "events": ["*.*"],
                "version": 1,
            },
        )
        hook = created["result"]
        api(emulator, "PUT", f"/webhooks/{hook['id']}", json={"enabled": True})
        row_id = emulator.sheets[tree].rows[0].id
        name = emulator.column_id(tree, "Name")
        requests.put(
            emulator.api_url + f"/sheets/{tree}/rows",
            json=[{"id": row_id, "cells": [{"columnId": name, "value": "Renamed"}]}],
            headers={**HEADERS, "Smartsheet-Change-Agent": "odoo-7"},
            timeout=10,
        )
        emulator.update_cells(tree, row_id, {"Name": "By a person"})

        emulator.deliver_callbacks()

    [callback] = receiver.received
    expected = hmac.new(hook["sharedSecret"].encode(), callback.body, hashlib.sha256).hexdigest()
    assert callback.headers[SIGNATURE_HEADER] == expected
    body = json.loads(callback.body)
    assert (body["webhookId"], body["scopeObjectId"]) == (hook["id"], tree)
    cell_events = [event for event in body["events"] if event["objectType"] == "cell"]
    assert [event.get("changeAgent") for event in cell_events] == ["odoo-7", None]
    assert all("value" not in event for event in body["events"])


def test_oauth_code_and_refresh_token_need_the_hash_of_the_app_secret(emulator):
    emulator.register_app("client-1", "app-secret", "https://odoo.test/callback")
    redirect = requests.get(
        emulator.url("/b/authorize"),
        params={"response_type": "code", "client_id": "client-1", "state": "s1"},
        allow_redirects=False,
        timeout=10,
    )
    query = parse_qs(urlsplit(redirect.headers["Location"]).query)
    code = query["code"][0]
    assert query["state"] == ["s1"]

    def token(grant, secret_input, app_secret="app-secret", **form):
        digest = hashlib.sha256(f"{app_secret}|{secret_input}".encode()).hexdigest()
        return requests.post(
            emulator.url("/2.0/token"),
            data={"grant_type": grant, "client_id": "client-1", "hash": digest, **form},
            timeout=10,
        )

    assert token("authorization_code", code, app_secret="wrong", code=code).status_code == 400
    redirect = requests.get(
        emulator.url("/b/authorize"),
        params={"response_type": "code", "client_id": "client-1", "state": "s2"},
        allow_redirects=False,
        timeout=10,
    )
    code = parse_qs(urlsplit(redirect.headers["Location"]).query)["code"][0]
    granted = token("authorization_code", code, code=code).json()
    assert granted["expires_in"] == 604_799
    refreshed = token(
        "refresh_token", granted["refresh_token"], refresh_token=granted["refresh_token"]
    ).json()
    assert refreshed["access_token"] != granted["access_token"]
    again = token("refresh_token", granted["refresh_token"], refresh_token=granted["refresh_token"])
    assert again.status_code == 400, "a refresh token works once"
    status = requests.get(
        emulator.api_url + "/users/me",
        headers={"Authorization": f"Bearer {refreshed['access_token']}"},
        timeout=10,
    ).status_code
    assert status == 200


def test_link_image_and_predecessor_cells_read_as_the_sdk_scenarios_show(emulator):
    columns = [*COLUMNS, {"title": "Photo"}, {"title": "Predecessors", "type": "PREDECESSOR"}]
    sheet_id = emulator.add_sheet("Plan", columns)
    first = emulator.add_row(sheet_id, {"Name": {"url": "http://google.com", "text": "Google"}})
    lag = {"objectType": "DURATION", "days": 2, "hours": 4}
    second = emulator.add_row(
        sheet_id, {"Name": "Two", "Photo": {"image": "puppy.jpg"}, "Predecessors": [(first, "FS", lag)]}
    )

    _status, sheet = api(emulator, "GET", f"/sheets/{sheet_id}", params={"include": "objectValue"})

    first_cells, cells = ({cell["columnId"]: cell for cell in row["cells"]} for row in sheet["rows"])
    link = first_cells[emulator.column_id(sheet_id, "Name")]
    assert (link["value"], link["hyperlink"]) == ("Google", {"url": "http://google.com"})
    photo = cells[emulator.column_id(sheet_id, "Photo")]
    assert photo["value"] == "puppy.jpg" and photo["formula"].startswith("=SYS_CELLIMAGE(") and photo["image"]
    predecessors = cells[emulator.column_id(sheet_id, "Predecessors")]
    assert predecessors["value"] == "1FS +2d 4h"
    assert predecessors["objectValue"]["predecessors"] == [
        {"rowId": first, "rowNumber": 1, "type": "FS", "lag": lag}
    ]
    assert [row["id"] for row in sheet["rows"]] == [first, second]


def test_a_new_text_keeps_the_link_and_a_null_link_removes_it(emulator):
    sheet_id = emulator.add_sheet("Plan", COLUMNS)
    row_id = emulator.add_row(sheet_id, {"Name": {"url": "http://google.com", "text": "Google"}})
    name = emulator.column_id(sheet_id, "Name")

    api(
        emulator,
        "PUT",
        f"/sheets/{sheet_id}/rows",
        json=[{"id": row_id, "cells": [{"columnId": name, "value": "Search"}]}],
    )
    kept = dict(emulator.sheets[sheet_id].row(row_id).cells[name])
    api(
        emulator,
        "PUT",
        f"/sheets/{sheet_id}/rows",
        json=[{"id": row_id, "cells": [{"columnId": name, "value": "", "hyperlink": None}]}],
    )

    assert kept == {"value": "Search", "hyperlink": {"url": "http://google.com"}}
    assert emulator.sheets[sheet_id].row(row_id).cells[name] == {"value": None}


def test_a_cell_shape_smartsheet_never_accepts_fails_the_whole_request_even_with_partial_success(
    emulator, tree
):
    name = emulator.column_id(tree, "Name")
    rows = [row.id for row in emulator.sheets[tree].rows][:2]
    body = [
        {"id": rows[0], "cells": [{"columnId": name, "value": "ok"}]},
        {
            "id": rows[1],
            "cells": [{"columnId": name, "value": "x", "hyperlink": {"url": "http://a", "sheetId": 2}}],
        },
    ]

    status, answer = api(
        emulator, "PUT", f"/sheets/{tree}/rows", params={"allowPartialSuccess": "true"}, json=body
    )

    assert status == 400
    assert (answer["errorCode"], answer["detail"]) == (1112, {"index": 1, "rowId": rows[1]})
    assert answer["refId"]
    assert emulator.cell(tree, rows[0], "Name") == "A"


def test_the_demo_page_changes_a_row_as_the_owner_would_and_hands_out_the_demo_token(emulator):
    DemoPages(emulator)
    sheet_id = emulator.add_sheet("Plan <v1>", COLUMNS, [{"Name": "Design"}])
    parent = emulator.sheets[sheet_id].rows[0].id
    child = emulator.add_row(sheet_id, {"Name": "Wireframes"}, parent_id=parent)
    emulator.pending_events.clear()

    page = requests.get(emulator.url("/"), timeout=5)
    changed = requests.post(
        emulator.url(f"/demo/sheets/{sheet_id}/rows/{child}"),
        data={"value": "Wireframes v2"},
        allow_redirects=False,
        timeout=5,
    )
    unknown = requests.post(emulator.url(f"/demo/sheets/{sheet_id}/rows/1"), data={"value": "x"}, timeout=5)

    assert "<h2>Plan &lt;v1&gt;</h2>" in page.text
    assert "margin-left: 2em" in page.text and "value='Wireframes'" in page.text
    assert (changed.status_code, changed.headers["Location"]) == (303, "/")
    assert emulator.cell(sheet_id, child, "Name") == "Wireframes v2"
    assert {"objectType": "row", "eventType": "updated", "id": child}.items() <= next(
        event for event in emulator.pending_events[sheet_id] if event["objectType"] == "row"
    ).items()
    assert "changeAgent" not in emulator.pending_events[sheet_id][0]
    assert unknown.status_code == 404
    assert requests.get(emulator.url("/demo/credentials"), timeout=5).json() == {"token": TOKEN}
