"""Smartsheet cells to neutral values and back, by column type.

The suite's mapping engine (``connector_base.lib.mapping``) maps flat records;
this module makes one of a Smartsheet row: each cell becomes the plain value its
column type stands for (text, number, ISO date, boolean, an option, a list of
options, an email, a list of emails), keyed by the column id as text, so a
mapping survives a column being renamed. The way back builds the cells of a
row write from the values the mapping engine exports.

System columns and columns with a column formula are never written: Smartsheet
computes them. A cell holding a formula of its own (an image is
``=SYS_CELLIMAGE(...)``) does not make its column read-only. Predecessor columns
are written by the task dependencies (``links``), not by the mapping.
"""

from dataclasses import dataclass
from datetime import date, datetime

from . import links

TEXT_NUMBER = "TEXT_NUMBER"
DATE = "DATE"
DATETIME = "DATETIME"
ABSTRACT_DATETIME = "ABSTRACT_DATETIME"
CHECKBOX = "CHECKBOX"
PICKLIST = "PICKLIST"
MULTI_PICKLIST = "MULTI_PICKLIST"
CONTACT_LIST = "CONTACT_LIST"
MULTI_CONTACT_LIST = "MULTI_CONTACT_LIST"
DURATION = "DURATION"
PREDECESSOR = "PREDECESSOR"

COLUMN_TYPES = (
    TEXT_NUMBER,
    DATE,
    DATETIME,
    ABSTRACT_DATETIME,
    CHECKBOX,
    PICKLIST,
    MULTI_PICKLIST,
    CONTACT_LIST,
    MULTI_CONTACT_LIST,
    DURATION,
    PREDECESSOR,
)
SYSTEM_COLUMN_TYPES = ("AUTO_NUMBER", "CREATED_BY", "CREATED_DATE", "MODIFIED_BY", "MODIFIED_DATE")
DATE_TYPES = (DATE, ABSTRACT_DATETIME)
TRUE_WORDS = frozenset({"true", "1", "yes", "y", "checked"})

# Keys of a flat row record that are not cells (column keys are digits, so they never clash).
ROW_ID = "id"
PARENT_ID = "parentId"
SIBLING_ID = "siblingId"
ROW_NUMBER = "rowNumber"
MODIFIED_AT = "modifiedAt"


@dataclass(frozen=True, slots=True)
class Column:
    """What the codec needs of one column."""

    id: int
    title: str = ""
    type: str = TEXT_NUMBER
    options: tuple = ()
    system_type: str = ""
    primary: bool = False
    formula: str = ""
    index: int = 0

    @classmethod
    def from_api(cls, payload):
        return cls(
            id=int(payload["id"]),
            title=payload.get("title") or "",
            type=payload.get("type") or TEXT_NUMBER,
            options=tuple(payload.get("options") or ()),
            system_type=payload.get("systemColumnType") or "",
            primary=bool(payload.get("primary")),
            formula=payload.get("formula") or "",
            index=int(payload.get("index") or 0),
        )

    @property
    def key(self):
        """The key of this column's value in a flat row record."""
        return str(self.id)

    @property
    def writable(self):
        """False for the columns Smartsheet fills itself."""
        return not (self.system_type or self.formula or self.type in (DATETIME, PREDECESSOR))


# ---------------------------------------------------------------------- reading
def _split(text):
    if text is None:
        return []
    return [part.strip() for part in str(text).split(",") if part.strip()]


def cell_value(column_type, cell):
    """The neutral value of one cell; None when the cell is empty.

    Multi-value columns give lists, contact columns emails, checkboxes booleans,
    a cell holding a hyperlink the text it shows (the link is kept apart, see
    :func:`kept_cells`), duration and predecessor cells their text.
    """
    value = cell.get("value")
    object_value = cell.get("objectValue")
    if column_type == CHECKBOX:
        return bool(value)
    if column_type == MULTI_PICKLIST:
        if isinstance(object_value, dict):
            return list(object_value.get("values") or ()) or None
        return _split(value) or None
    if column_type == CONTACT_LIST:
        if isinstance(object_value, dict) and object_value.get("email"):
            return object_value["email"]
        return value if value not in (None, "") else None
    if column_type == MULTI_CONTACT_LIST:
        if isinstance(object_value, dict):
            emails = [contact.get("email") for contact in object_value.get("values") or ()]
            return [email for email in emails if email] or None
        return _split(value) or None
    if column_type in (DURATION, PREDECESSOR):
        text = cell.get("displayValue") or value
        return str(text) if text not in (None, "") else None
    if value in (None, "") and cell.get("hyperlink"):
        # A link written without a text shows its target.
        value = cell.get("displayValue") or cell["hyperlink"].get("url")
    return value if value != "" else None


def row_record(row, columns):
    """A row as a flat dict: column key -> neutral value, plus the row's id, place and time.

    ``columns`` maps column ids to :class:`Column`; cells of unknown columns are ignored.
    """
    record = {
        ROW_ID: row["id"],
        PARENT_ID: row.get("parentId"),
        SIBLING_ID: row.get("siblingId"),
        ROW_NUMBER: row.get("rowNumber"),
        MODIFIED_AT: row.get("modifiedAt"),
    }
    for cell in row.get("cells") or ():
        column = columns.get(cell.get("columnId"))
        if column is not None:
            record[column.key] = cell_value(column.type, cell)
    return record


def kept_cells(row, columns):
    """{column key: kept parts} of the row's hyperlink and predecessor cells (see ``links``)."""
    kept = {}
    for cell in row.get("cells") or ():
        column = columns.get(cell.get("columnId"))
        if column is not None and (parts := links.kept_parts(cell)):
            kept[column.key] = parts
    return kept


# ---------------------------------------------------------------------- writing
def _is_empty(value):
    return value is None or value is False or value in ("", [])


def _as_list(value):
    if isinstance(value, (list, tuple, set)):
        return [str(item) for item in value if not _is_empty(item)]
    return _split(value)


def _as_bool(value):
    """A checkbox from a boolean, or from the "true"/"false" a value mapping exports."""
    if isinstance(value, str):
        return value.strip().lower() in TRUE_WORDS
    return bool(value)


def _as_day(value):
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    # An Odoo date and time exported in the mapping's time zone: its day is what a DATE column holds.
    return text[:10] if len(text) > 10 and text[10] in "T " else text


def cell_for_write(column, value, kept=None):
    """The cell that writes ``value`` into ``column``; None when the column is never written.

    ``kept``: the parts of the cell kept from the last read (``links.kept_parts``): a
    text written into a hyperlink cell keeps its link.
    """
    if not column.writable:
        return None
    if (kept or {}).get(links.HYPERLINK) and column.type in (TEXT_NUMBER, PICKLIST):
        text = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else value
        return links.text_cell(column.id, None if _is_empty(text) else text, kept)
    cell = {"columnId": column.id}
    if column.type == CHECKBOX:
        # No value at all clears the box as Smartsheet's clear does (an empty string).
        cell["value"] = "" if value is None else _as_bool(value)
        return cell
    if _is_empty(value):
        cell["value"] = ""  # an empty string clears a cell
        return cell
    if column.type in DATE_TYPES:
        cell["value"] = _as_day(value)
    elif column.type == MULTI_PICKLIST:
        cell["objectValue"] = {"objectType": "MULTI_PICKLIST", "values": _as_list(value)}
    elif column.type == CONTACT_LIST:
        cell["objectValue"] = {"objectType": "CONTACT", "email": _as_list(value)[0]}
    elif column.type == MULTI_CONTACT_LIST:
        cell["objectValue"] = {
            "objectType": "MULTI_CONTACT",
            "values": [{"objectType": "CONTACT", "email": email} for email in _as_list(value)],
        }
    elif column.type == PICKLIST:
        cell["value"] = _as_list(value)[0] if isinstance(value, (list, tuple)) else str(value)
    elif column.type == TEXT_NUMBER:
        if isinstance(value, (list, tuple)):
            value = ", ".join(map(str, value))
        cell["value"] = value
    else:
        cell["value"] = str(value)
    return cell


def row_cells(values, columns, kept=None):
    """Cells of a row write from ``values`` (column key -> value), skipping unwritable columns.

    ``kept``: {column key: kept parts} of the row (:func:`kept_cells`).
    """
    kept = kept or {}
    cells = []
    for key, value in values.items():
        column = columns.get(int(key)) if str(key).isdigit() else None
        if column is not None:
            cell = cell_for_write(column, value, kept.get(column.key))
            if cell is not None:
                cells.append(cell)
    return cells


def refused_column(message, sent_cells, columns):
    """The column a refusal is about: the one whose id its message names, else the only cell sent."""
    sent = [columns[cell["columnId"]] for cell in sent_cells if cell.get("columnId") in columns]
    named = [column for column in sent if str(column.id) in (message or "")]
    if named:
        return named[0]
    return sent[0] if len(sent) == 1 else None
