"""Row hierarchy: in which order rows reach Odoo, and where new rows go in Smartsheet.

A sheet lists parents before their children (``parentId``). Odoo needs a
parent task to exist before a child can point at it, so an import writes the
rows of a page in waves: rows whose parent is known, then their children.
On the way out, a new row is placed after its nearest preceding sibling that
already has a row, else as the first child of its parent (or at the top of the
sheet), and a row moved to another parent goes to the bottom of its new parent.
"""

from odoo.addons.connector_base.lib.dates import parse_timestamp

from .mapper import PARENT_ID, ROW_ID


def parent_first_batches(records, known_ids=()):
    """Split row records into batches whose parents are known before the batch is written.

    ``known_ids`` holds the row ids already in Odoo. Returns ``(batches, orphans)``:
    ``orphans`` are the records whose parent is neither known nor among ``records``.
    """
    known = set(known_ids)
    pending = list(records)
    batches = []
    while pending:
        ready, waiting = [], []
        for record in pending:
            parent = record.get(PARENT_ID)
            (ready if parent is None or parent in known else waiting).append(record)
        if not ready:
            return batches, waiting
        batches.append(ready)
        known.update(record[ROW_ID] for record in ready)
        pending = waiting
    return batches, []


def insertion_anchors(siblings):
    """For each sibling without a row, the row id of the nearest earlier sibling that has one.

    ``siblings``: ordered (key, row id or None) pairs under one parent. Returns
    {key: row id or None} for the siblings without a row; consecutive new
    siblings share an anchor and are sent together, in order.
    """
    anchors = {}
    previous = None
    for key, row_id in siblings:
        if row_id:
            previous = row_id
        else:
            anchors[key] = previous
    return anchors


def new_row_location(parent_row_id, anchor_row_id):
    """Where to add a row: after its anchor sibling, else first under its parent, else at the top."""
    if anchor_row_id:
        return {"siblingId": anchor_row_id}
    if parent_row_id:
        return {"parentId": parent_row_id}
    return {"toTop": True}


def moved_row_location(parent_row_id):
    """Where a row moved to another parent goes: the bottom of that parent, or of the sheet."""
    if parent_row_id:
        return {"parentId": parent_row_id, "toBottom": True}
    return {"toBottom": True}


def group_by_location(items):
    """Group (location, payload) pairs by location, keeping order: one request per group.

    Smartsheet wants every row of one request placed by the same specifier, so
    rows going to different places travel in separate requests.
    """
    groups = {}
    for location, payload in items:
        key = tuple(sorted(location.items()))
        groups.setdefault(key, (location, []))[1].append(payload)
    return list(groups.values())


def rows_created_by(sent_rows, candidates, primary_column_id, since):
    """Pair rows of an interrupted add with the rows it made: {position in ``sent_rows``: row}.

    Smartsheet keeps no client key on a row, so a row counts as made by the add
    when it was created since ``since`` (naive UTC, clock skew already allowed),
    holds the values sent in the primary column (every sent value when the
    primary was not sent) and, for a row sent under a parent, has that parent.
    ``candidates`` are rows bound to nothing; each is taken once, the oldest first
    (should several attempts have been interrupted, the first one's).
    """
    fresh = sorted(
        (row for row in candidates if (parse_timestamp(row.get("createdAt")) or since) >= since),
        key=lambda row: (row.get("createdAt") or "", row["id"]),
    )
    taken, found = set(), {}
    for position, sent in enumerate(sent_rows):
        wanted = _identifying_values(sent, primary_column_id)
        for row in fresh:
            if row["id"] in taken or not wanted:
                continue
            held = {cell.get("columnId"): str(cell.get("value")) for cell in row.get("cells") or ()}
            if all(held.get(column_id) == value for column_id, value in wanted.items()) and (
                PARENT_ID not in sent or row.get(PARENT_ID) == sent[PARENT_ID]
            ):
                taken.add(row["id"])
                found[position] = row
                break
    return found


def _identifying_values(sent, primary_column_id):
    values = {cell["columnId"]: str(cell["value"]) for cell in sent.get("cells") or () if "value" in cell}
    if primary_column_id in values:
        return {primary_column_id: values[primary_column_id]}
    return values
