"""Hyperlinks and predecessors: the parts of a cell a flat value cannot hold.

A hyperlink cell shows a text (its value) and leads somewhere (``hyperlink``:
a URL, or a sheet, report or dashboard). Odoo maps the text; the target is kept
here, per row, so that writing a new text sends the same target along and an
unchanged text sends nothing.

A predecessor cell (project sheets) holds a ``PREDECESSOR_LIST`` object: the
rows this row waits for, each with a dependency type (FS, SS, FF, SF) and a lag.
Odoo's task dependencies hold only "waits for that task" (finish-to-start, no
lag), so the objects read are kept too: writing Odoo's dependencies back keeps
the type and lag of every predecessor still there, and adds finish-to-start
ones for the new.
"""

# Keys a hyperlink may lead to besides a URL; Smartsheet answers the URL of these too,
# but refuses a write naming both (errorCode 1112).
HYPERLINK_TARGETS = ("sheetId", "reportId", "sightId")
PREDECESSOR_LIST = "PREDECESSOR_LIST"
FINISH_TO_START = "FS"
# What a predecessor holds that a write may send back; rowNumber, invalid and
# inCriticalPath are computed by Smartsheet.
PREDECESSOR_WRITE_KEYS = ("rowId", "type", "lag")
HYPERLINK = "hyperlink"
PREDECESSORS = "predecessors"


def kept_parts(cell):
    """The parts of ``cell`` to keep for later writes: {"hyperlink": ...} and/or
    {"predecessors": [...]}; empty when the cell has neither."""
    kept = {}
    hyperlink = cell.get(HYPERLINK)
    if isinstance(hyperlink, dict) and hyperlink:
        kept[HYPERLINK] = dict(hyperlink)
    object_value = cell.get("objectValue")
    if isinstance(object_value, dict) and object_value.get("objectType") == PREDECESSOR_LIST:
        kept[PREDECESSORS] = [
            {key: item[key] for key in PREDECESSOR_WRITE_KEYS if key in item}
            for item in object_value.get(PREDECESSORS) or ()
            if item.get("rowId")
        ]
    return kept


def hyperlink_for_write(hyperlink):
    """The hyperlink object a write sends: the sheet/report/dashboard it leads to, else its URL."""
    for key in HYPERLINK_TARGETS:
        if hyperlink.get(key):
            return {key: hyperlink[key]}
    return {"url": hyperlink["url"]} if hyperlink.get("url") else None


def text_cell(column_id, text, kept):
    """The cell writing ``text`` (None or "" clears it) into a cell that may hold a hyperlink.

    With a kept hyperlink the text is written with it; clearing such a cell clears the
    link too (``"hyperlink": null``), as Smartsheet wants.
    """
    cell = {"columnId": column_id, "value": "" if text in (None, "") else text}
    hyperlink = (kept or {}).get(HYPERLINK)
    if hyperlink:
        cell[HYPERLINK] = None if cell["value"] == "" else hyperlink_for_write(hyperlink)
    return cell


def predecessor_row_ids(kept):
    """Row ids of the kept predecessors, in their order."""
    return [int(item["rowId"]) for item in (kept or {}).get(PREDECESSORS) or ()]


def predecessor_cell(column_id, row_ids, kept):
    """The cell writing ``row_ids`` as the row's predecessors, or None when they are the kept ones.

    Predecessors still wanted keep their type and lag; new ones are finish-to-start
    without lag; an empty list clears the cell (``"value": null``, as the SDK scenario
    "Update Rows - Clear Value - Predecessor List" does).
    """
    wanted = [int(row_id) for row_id in row_ids]
    if set(wanted) == set(predecessor_row_ids(kept)):
        return None
    if not wanted:
        return {"columnId": column_id, "value": None}
    known = {int(item["rowId"]): item for item in (kept or {}).get(PREDECESSORS) or ()}
    items = [dict(known[row_id]) for row_id in predecessor_row_ids(kept) if row_id in wanted]
    items += [
        {"rowId": row_id, "type": FINISH_TO_START} for row_id in dict.fromkeys(wanted) if row_id not in known
    ]
    return {"columnId": column_id, "objectValue": {"objectType": PREDECESSOR_LIST, PREDECESSORS: items}}
