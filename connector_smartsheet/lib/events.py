"""Reading the events of a Smartsheet webhook callback.

Callbacks are "skinny": they say which rows changed, not how. What matters to
the connector is which rows to re-read, which rows are gone, and which events
it caused itself (they carry its change agent and are skipped, so nothing echoes).
"""

from typing import NamedTuple


class RowChanges(NamedTuple):
    """Rows to re-read and rows deleted, from the events not made by this connector."""

    changed: tuple
    deleted: tuple
    own_events: int
    columns_changed: bool

    @property
    def empty(self):
        return not (self.changed or self.deleted or self.columns_changed)


def made_by(event, change_agent):
    """True when ``event`` was caused by a call that sent ``change_agent``."""
    if not change_agent:
        return False
    agents = str(event.get("changeAgent") or "").split(",")
    return change_agent in (agent.strip() for agent in agents)


def _row_id(event):
    # The OpenAPI schema spells it rowid, the guides and recorded payloads rowId.
    return event.get("rowId", event.get("rowid"))


def row_changes(events, change_agent):
    """Summarise the events of one callback into a :class:`RowChanges`."""
    changed, deleted = {}, {}
    own = 0
    columns_changed = False
    for event in events or ():
        if made_by(event, change_agent):
            own += 1
            continue
        kind = event.get("objectType")
        action = event.get("eventType")
        if kind == "row":
            row_id = event.get("id")
            if row_id is None:
                continue
            if action == "deleted":
                deleted[row_id] = True
                changed.pop(row_id, None)
            elif row_id not in deleted:
                changed[row_id] = True
        elif kind == "cell":
            row_id = _row_id(event)
            if row_id is not None and row_id not in deleted:
                changed[row_id] = True
        elif kind == "column":
            columns_changed = True
    return RowChanges(tuple(changed), tuple(deleted), own, columns_changed)
