"""Trello JSON to neutral values and back.

The flat card record built here is what the field-mapping engine of connector_base
reads (``card_record``); the rest (lists, labels, check items, comments,
attachments) has a fixed shape and is turned into plain dicts the Odoo side writes
in batches. Dates come out as naive UTC datetimes, the way Odoo stores them.
"""

import mimetypes
from pathlib import PurePosixPath
from urllib.parse import unquote

from odoo.addons.connector_base.lib.dates import parse_timestamp

from .markdown import html_to_markdown, markdown_to_html

CUSTOM_FIELD_PREFIX = "customField:"

# Odoo's 12 colour indexes: 0 none, 1 red, 2 orange, 3 yellow, 4 cyan, 5 purple, 6 almond,
# 7 teal, 8 blue, 9 raspberry, 10 green, 11 violet. Trello's label colours by nearest hue
# (their _dark and _light variants share their base colour); black, which has no hue,
# takes the darkest Odoo colour so the tag stays visible (colour 0 hides it on kanban cards).
TRELLO_TO_ODOO_COLOR = {
    "green": 10,
    "yellow": 3,
    "orange": 2,
    "red": 1,
    "purple": 11,
    "blue": 8,
    "sky": 4,
    "lime": 10,
    "pink": 9,
    "black": 5,
}
ODOO_TO_TRELLO_COLOR = {
    1: "red",
    2: "orange",
    3: "yellow",
    4: "sky",
    5: "black",
    6: "orange",
    7: "sky",
    8: "blue",
    9: "pink",
    10: "green",
    11: "purple",
}

# Action types whose effect is read back from the card itself.
CARD_ACTIONS = frozenset(
    {
        "createCard",
        "copyCard",
        "updateCard",
        "deleteCard",
        "moveCardToBoard",
        "moveCardFromBoard",
        "convertToCardFromCheckItem",
        "commentCard",
        "copyCommentCard",
        "updateComment",
        "deleteComment",
        "addMemberToCard",
        "removeMemberFromCard",
        "addLabelToCard",
        "removeLabelFromCard",
        "addChecklistToCard",
        "removeChecklistFromCard",
        "updateChecklist",
        "createCheckItem",
        "updateCheckItem",
        "updateCheckItemStateOnCard",
        "deleteCheckItem",
        "addAttachmentToCard",
        "deleteAttachmentFromCard",
        "updateCustomFieldItem",
    }
)
# Action types that change the board's structure: project, stages, tags.
BOARD_ACTIONS = frozenset(
    {
        "updateBoard",
        "createList",
        "updateList",
        "moveListToBoard",
        "moveListFromBoard",
        "createLabel",
        "updateLabel",
        "deleteLabel",
        "createCustomField",
        "updateCustomField",
        "deleteCustomField",
    }
)


# ---------------------------------------------------------------------- dates
def parse_datetime(value):
    """Naive UTC datetime of a Trello ISO date (``...Z`` or with an offset), to the second as
    Odoo keeps it; None when empty."""
    moment = parse_timestamp(value)
    return moment and moment.replace(microsecond=0)


def format_datetime(value):
    """Trello's ISO form of a naive UTC datetime; None stays None."""
    if not value:
        return None
    return value.replace(microsecond=0).isoformat() + ".000Z"


# ---------------------------------------------------------------------- colours
def odoo_color(trello_color):
    """The Odoo colour index nearest to a Trello label colour (0 for a colourless label)."""
    base = (trello_color or "").removesuffix("_dark").removesuffix("_light")
    return TRELLO_TO_ODOO_COLOR.get(base, 0)


def trello_color(odoo_color_index):
    """The Trello label colour for an Odoo colour index; None means a colourless label."""
    return ODOO_TO_TRELLO_COLOR.get(odoo_color_index or 0)


def label_name(label):
    """Trello allows nameless labels (a colour alone): they are named after their colour."""
    return (label.get("name") or "").strip() or (label.get("color") or "no colour").replace(
        "_", " "
    ).capitalize()


# ---------------------------------------------------------------------- board
def stages(lists):
    """Lists in board order as {id, name, sequence, closed}."""
    ordered = sorted(lists, key=lambda item: (item.get("pos") or 0, item["id"]))
    return [
        {"id": item["id"], "name": item["name"], "sequence": index, "closed": bool(item.get("closed"))}
        for index, item in enumerate(ordered, start=1)
    ]


def custom_field_definitions(board):
    """{custom field id: definition} of a board read with ``customFields=true``."""
    return {field["id"]: field for field in board.get("customFields") or ()}


# ---------------------------------------------------------------------- cards
def card_record(card, custom_fields=None):
    """The flat record of a card for the mapping engine.

    Keys are Trello's field names; the description is already HTML and custom field
    items appear as ``customField:<field name>`` with a plain value.
    """
    record = {
        "id": card["id"],
        "name": card.get("name") or "",
        "desc": markdown_to_html(card.get("desc") or ""),
        "due": card.get("due"),
        # Text, as the selection its value mappings feed expects.
        "dueComplete": "true" if card.get("dueComplete") else "false",
        "start": card.get("start"),
        "pos": card.get("pos"),
        "idList": card.get("idList"),
        "open": not card.get("closed"),
    }
    for item in card.get("customFieldItems") or ():
        definition = (custom_fields or {}).get(item.get("idCustomField"))
        if definition:
            record[CUSTOM_FIELD_PREFIX + definition["name"]] = custom_field_value(definition, item)
    return record


def card_labels(card):
    """The card's labels as {id, name, color} with the names tags get."""
    return [
        {"id": label["id"], "name": label_name(label), "color": label.get("color")}
        for label in card.get("labels") or ()
    ]


def custom_field_value(definition, item):
    """A custom field item as a plain value: text, number text, ISO date, "true"/"false" or
    the chosen option's text."""
    if item.get("idValue"):
        options = {option["id"]: option for option in definition.get("options") or ()}
        option = options.get(item["idValue"])
        return (option or {}).get("value", {}).get("text")
    value = item.get("value") or {}
    kind = definition.get("type")
    if kind == "checkbox":
        return value.get("checked", "false")
    return value.get({"number": "number", "date": "date"}.get(kind, "text"))


def custom_field_item(definition, value):
    """The body of ``PUT /cards/{id}/customField/{id}/item`` for a plain value."""
    kind = definition.get("type")
    if value in (None, False, ""):
        return {"idValue": ""} if kind == "list" else {"value": ""}
    if kind == "list":
        options = {option["value"]["text"]: option["id"] for option in definition.get("options") or ()}
        return {"idValue": options.get(str(value), "")}
    if kind == "checkbox":
        return {"value": {"checked": "true" if value and value != "false" else "false"}}
    if kind == "number":
        return {"value": {"number": f"{float(value):g}"}}
    if kind == "date":
        return {"value": {"date": value if isinstance(value, str) else format_datetime(value)}}
    return {"value": {"text": str(value)}}


def check_items(card):
    """The card's check items, checklist by checklist, as {id, name, done, sequence}."""
    items = []
    checklists = sorted(card.get("checklists") or (), key=lambda checklist: checklist.get("pos") or 0)
    for checklist in checklists:
        for item in sorted(checklist.get("checkItems") or (), key=lambda item: item.get("pos") or 0):
            items.append(
                {
                    "id": item["id"],
                    "name": item.get("name") or "",
                    "done": item.get("state") == "complete",
                    "checklist": checklist.get("name") or "",
                    "sequence": len(items) + 1,
                }
            )
    return items


COMMENT_TYPES = frozenset({"commentCard", "copyCommentCard"})


def comments(actions):
    """Comment actions (written on the card, or copied with it from another card) as
    {id, card_id, html, date, member_id, member_name}."""
    found = []
    for action in actions:
        if action.get("type") not in COMMENT_TYPES:
            continue
        data = action.get("data") or {}
        creator = action.get("memberCreator") or {}
        found.append(
            {
                "id": action["id"],
                "card_id": (data.get("card") or {}).get("id"),
                "html": markdown_to_html(data.get("text") or ""),
                "date": parse_datetime(action.get("date")),
                "member_id": action.get("idMemberCreator") or creator.get("id"),
                "member_name": creator.get("fullName") or creator.get("username") or "",
            }
        )
    return found


def attachments(card, size_limit):
    """The card's attachments as {id, name, file_name, url, mimetype, size, download}.

    ``download`` is true for uploaded files no bigger than ``size_limit`` bytes; the
    others (links, bigger files) are kept as their URL. Trello may send no ``fileName``
    and a null ``mimeType``: the stored name is the end of the download URL, and the
    type is guessed from it (None: Odoo guesses from the content).
    """
    found = []
    for attachment in card.get("attachments") or ():
        size = attachment.get("bytes") or 0
        uploaded = bool(attachment.get("isUpload"))
        url = attachment.get("url") or ""
        stored = unquote(url.rsplit("/download/", 1)[1]) if "/download/" in url else ""
        file_name = stored or attachment.get("fileName") or attachment.get("name") or "file"
        name = attachment.get("name") or file_name
        if uploaded and not PurePosixPath(name).suffix and PurePosixPath(file_name).suffix:
            name = file_name  # a bare title: the stored name tells what the file is
        found.append(
            {
                "id": attachment["id"],
                "name": name if uploaded else (attachment.get("name") or url),
                "file_name": file_name,
                "url": url,
                "mimetype": attachment.get("mimeType") or mimetypes.guess_type(file_name)[0],
                "size": size,
                "download": uploaded and size <= size_limit,
            }
        )
    return found


def card_update(values):
    """Form fields of ``PUT /cards/{id}`` from neutral card values (only those given)."""
    update = {}
    for key, value in values.items():
        if key == "desc":
            update["desc"] = html_to_markdown(value or "")
        elif key in ("due", "start"):
            # Trello clears a date that is sent as "null".
            update[key] = (value if isinstance(value, str) else format_datetime(value)) or "null"
        elif key in ("idLabels", "idMembers"):
            update[key] = ",".join(value or ())
        elif key == "dueComplete":
            update[key] = "true" if value in (True, "true") else "false"
        elif key == "open":
            update["closed"] = "false" if value else "true"
        elif value is not None:
            update[key] = value
    return update


# ---------------------------------------------------------------------- actions
def action_target(action):
    """What an action touches: ("card", card id), ("board", board id) or (None, None)."""
    kind = action.get("type")
    data = action.get("data") or {}
    if kind in CARD_ACTIONS and (data.get("card") or {}).get("id"):
        return "card", data["card"]["id"]
    if kind in BOARD_ACTIONS:
        return "board", (data.get("board") or {}).get("id")
    return None, None
