"""What a Trello card is to the connector, apart from the ORM.

The external types its bindings use, the task fields Trello's structure decides (and who
wins them), the field mappings a new backend starts with, and how a card's values and
actions are compared and kept.
"""

from datetime import timedelta

from . import mapper

CARD, CHECK_ITEM, COMMENT, ATTACHMENT = "card", "checkitem", "comment", "attachment"
INT_MAX = 2**31 - 1
# Actions on a card's comments: the card is read with them (a board's card listing has none).
COMMENT_ACTION_TYPES = frozenset({"commentCard", "copyCommentCard", "updateComment", "deleteComment"})
# An interrupted create is looked for among the cards made since it began, give or take this.
CREATE_CLOCK_SKEW = timedelta(minutes=1)
# Who wins a field both sides changed, for what Trello's structure decides (the mapped
# fields take theirs from the field mappings): Trello wins on progress and placement,
# a person decides on tags and assignees.
STRUCTURE_AUTHORITIES = {
    "project_id": "platform",
    "trello_board_id": "platform",
    "stage_id": "platform",
    "sequence": "platform",
    "trello_card_url": "platform",
    "tag_ids": "",
    "user_ids": "",
}
# Trello card field -> the structural task field it comes from, for exports.
STRUCTURE_EXPORTS = {"idList": "stage_id", "idLabels": "tag_ids", "idMembers": "user_ids"}
# The card fields a new backend maps; a person edits them under Configuration > Field mappings.
# Lists, labels, members, check items, comments and attachments follow Trello's own structure
# and are handled by the connector (see the trello.board models).
CARD_MAPPING_DEFAULTS = [
    {
        "odoo_field": "name",
        "external_field": "name",
        "external_label": "Card name",
        "converter": "text",
        "default_value": "Untitled card",
        "sequence": 1,
    },
    {
        "odoo_field": "description",
        "external_field": "desc",
        "external_label": "Description (Markdown, shown as HTML)",
        "converter": "text",
        "sequence": 2,
    },
    {
        "odoo_field": "date_deadline",
        "external_field": "due",
        "external_label": "Due date",
        "converter": "datetime",
        "authority": "odoo",
        "sequence": 3,
    },
    {
        "odoo_field": "planned_date_start",
        "external_field": "start",
        "external_label": "Start date",
        "converter": "datetime",
        "sequence": 4,
    },
    {
        "odoo_field": "state",
        "external_field": "dueComplete",
        "external_label": "Due date complete",
        "converter": "selection",
        "authority": "platform",
        "sequence": 5,
        # The other states export as "not complete".
        "value_mappings": [
            {"external_value": "true", "odoo_value": "1_done", "sequence": 1},
            {"external_value": "false", "odoo_value": "01_in_progress", "sequence": 2},
        ],
    },
    {
        "odoo_field": "active",
        "external_field": "open",
        "external_label": "Open (not archived)",
        "converter": "boolean",
        "authority": "platform",
        "sequence": 6,
    },
]


def same_card_value(key, wanted, current):
    """Whether a card field already holds the value Odoo wants, compared as Trello would store it."""
    if key in ("due", "start"):
        return mapper.parse_datetime(wanted) == mapper.parse_datetime(current)
    return mapper.card_update({key: wanted}) == mapper.card_update({key: current})


def compact_action(action):
    """What a job needs of an action (the webhook's ``model`` and display data are dropped)."""
    return {
        key: action[key]
        for key in ("id", "type", "date", "idMemberCreator", "data", "memberCreator")
        if key in action
    }
