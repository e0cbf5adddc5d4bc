from odoo.addons.connector_smartsheet.lib import links
from odoo.addons.connector_smartsheet.lib.mapper import Column, refused_column

LAG = {"objectType": "DURATION", "days": 2}
KEPT = {"predecessors": [{"rowId": 1, "type": "SS", "lag": LAG}, {"rowId": 2, "type": "FS"}]}


def test_unchanged_predecessors_write_nothing_whatever_their_order():
    assert links.predecessor_cell(9, [2, 1], KEPT) is None


def test_kept_predecessors_keep_type_and_lag_and_new_ones_are_finish_to_start():
    cell = links.predecessor_cell(9, [3, 1], KEPT)

    assert cell == {
        "columnId": 9,
        "objectValue": {
            "objectType": "PREDECESSOR_LIST",
            "predecessors": [{"rowId": 1, "type": "SS", "lag": LAG}, {"rowId": 3, "type": "FS"}],
        },
    }


def test_no_predecessor_clears_the_cell_and_none_kept_writes_none():
    assert links.predecessor_cell(9, [], KEPT) == {"columnId": 9, "value": None}
    assert links.predecessor_cell(9, [], None) is None


def test_a_link_to_a_sheet_is_written_back_by_its_sheet_id():
    kept = {"hyperlink": {"url": "https://app.smartsheet.com/b/home?lx=a", "sheetId": 4}}

    assert links.text_cell(1, "Plan", kept) == {"columnId": 1, "value": "Plan", "hyperlink": {"sheetId": 4}}
    assert links.text_cell(1, None, kept) == {"columnId": 1, "value": "", "hyperlink": None}
    assert links.text_cell(1, "Plan", None) == {"columnId": 1, "value": "Plan"}


def test_a_refusal_names_the_column_its_message_names_else_the_only_cell_sent():
    columns = {11: Column(11, "Status"), 12: Column(12, "Due")}
    both = [{"columnId": 11, "value": "x"}, {"columnId": 12, "value": "y"}]

    assert refused_column("The value for cell in column 12, y, did not conform", both, columns).title == "Due"
    assert refused_column("Not valid", both, columns) is None
    assert refused_column("Not valid", both[:1], columns).title == "Status"
