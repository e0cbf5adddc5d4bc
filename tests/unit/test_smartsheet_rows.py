from datetime import datetime

from odoo.addons.connector_smartsheet.lib import events, sheet_rows


def rec(row_id, parent=None):
    return {"id": row_id, "parentId": parent}


def ids(batch):
    return [record["id"] for record in batch]


def test_parent_first_batches_follow_the_levels_of_the_page():
    records = [rec(1), rec(2, 1), rec(3, 2), rec(4, 1), rec(5)]

    batches, orphans = sheet_rows.parent_first_batches(records)

    assert [ids(batch) for batch in batches] == [[1, 5], [2, 4], [3]]
    assert orphans == []


def test_rows_whose_parent_is_already_known_go_in_the_first_batch():
    batches, _orphans = sheet_rows.parent_first_batches([rec(3, 2), rec(4, 3)], known_ids={2})

    assert [ids(batch) for batch in batches] == [[3], [4]]


def test_rows_with_an_unknown_parent_are_orphans():
    batches, orphans = sheet_rows.parent_first_batches([rec(1), rec(2, 99), rec(3, 2)])

    assert [ids(batch) for batch in batches] == [[1]]
    assert ids(orphans) == [2, 3]


def test_insertion_anchor_is_the_nearest_earlier_sibling_with_a_row():
    anchors = sheet_rows.insertion_anchors(
        [("a", None), ("b", 11), ("c", None), ("d", None), ("e", 12), ("f", None)]
    )

    assert anchors == {"a": None, "c": 11, "d": 11, "f": 12}


def test_new_row_location():
    assert sheet_rows.new_row_location(5, 11) == {"siblingId": 11}
    assert sheet_rows.new_row_location(5, None) == {"parentId": 5}
    assert sheet_rows.new_row_location(None, None) == {"toTop": True}


def test_moved_row_location():
    assert sheet_rows.moved_row_location(5) == {"parentId": 5, "toBottom": True}
    assert sheet_rows.moved_row_location(None) == {"toBottom": True}


def test_group_by_location_keeps_order_within_each_group():
    groups = sheet_rows.group_by_location(
        [({"siblingId": 1}, "a"), ({"parentId": 2}, "b"), ({"siblingId": 1}, "c"), ({"siblingId": 3}, "d")]
    )

    assert groups == [({"siblingId": 1}, ["a", "c"]), ({"parentId": 2}, ["b"]), ({"siblingId": 3}, ["d"])]


def test_row_changes_skip_the_connector_own_events_and_keep_others():
    callback_events = [
        {"objectType": "sheet", "eventType": "updated", "id": 1},
        {"objectType": "row", "eventType": "updated", "id": 10, "changeAgent": "odoo-1"},
        {"objectType": "cell", "eventType": "updated", "rowId": 10, "columnId": 5, "changeAgent": "x,odoo-1"},
        {"objectType": "cell", "eventType": "updated", "rowid": 11, "columnId": 5},
        {"objectType": "row", "eventType": "created", "id": 12},
        {"objectType": "row", "eventType": "deleted", "id": 13},
        {"objectType": "cell", "eventType": "updated", "rowId": 13, "columnId": 5},
    ]

    changes = events.row_changes(callback_events, "odoo-1")

    assert changes.changed == (11, 12)
    assert changes.deleted == (13,)
    assert changes.own_events == 2
    assert not changes.columns_changed


def test_row_changes_of_only_own_events_are_empty():
    changes = events.row_changes(
        [{"objectType": "row", "eventType": "updated", "id": 10, "changeAgent": "a"}], "a"
    )

    assert changes.empty


def test_change_agent_must_match_a_whole_entry():
    assert not events.made_by({"changeAgent": "odoo-10"}, "odoo-1")
    assert events.made_by({"changeAgent": "zapier, odoo-1"}, "odoo-1")


def test_column_events_ask_for_a_column_refresh():
    assert events.row_changes(
        [{"objectType": "column", "eventType": "created", "id": 3}], "a"
    ).columns_changed


PRIMARY = 101
SINCE = datetime(2025, 3, 4, 10, 0, 0)


def made(row_id, name, created_at="2025-03-04T10:00:05Z", parent=None):
    row = {"id": row_id, "createdAt": created_at, "cells": [{"columnId": PRIMARY, "value": name}]}
    return {**row, "parentId": parent} if parent else row


def sent(name, **location):
    return {**location, "cells": [{"columnId": PRIMARY, "value": name}, {"columnId": 102, "value": "Done"}]}


def test_an_interrupted_add_finds_each_row_it_made_by_its_primary_value_once():
    found = sheet_rows.rows_created_by(
        [sent("Print"), sent("Print"), sent("Scan")],
        [made(7, "Print"), made(8, "Scan"), made(9, "Print", created_at="2025-03-04T10:00:01Z")],
        PRIMARY,
        SINCE,
    )

    # The oldest first: the first attempt's row; the second "Print" takes the other one.
    assert {position: row["id"] for position, row in found.items()} == {0: 9, 1: 7, 2: 8}


def test_rows_created_before_the_attempt_or_under_another_parent_are_not_taken():
    found = sheet_rows.rows_created_by(
        [sent("Print", parentId=5), sent("Scan")],
        [made(7, "Print", parent=6), made(8, "Scan", created_at="2025-03-04T09:59:59Z")],
        PRIMARY,
        SINCE,
    )

    assert found == {}


def test_without_the_primary_every_sent_value_must_match():
    row = {"id": 7, "createdAt": "2025-03-04T10:00:05Z", "cells": [{"columnId": 102, "value": "Done"}]}
    other = {"id": 8, "createdAt": "2025-03-04T10:00:05Z", "cells": [{"columnId": 102, "value": "Open"}]}

    found = sheet_rows.rows_created_by(
        [{"cells": [{"columnId": 102, "value": "Done"}]}], [other, row], PRIMARY, SINCE
    )

    assert {position: row["id"] for position, row in found.items()} == {0: 7}
