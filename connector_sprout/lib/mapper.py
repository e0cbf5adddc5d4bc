"""Sprout objects as the values of their Odoo records (ORM-free).

Ids that Sprout sends as numbers in one answer and strings in another go through
``filters.as_id``, so one profile, group or tag is one record whatever its spelling.
"""

import hashlib
import json

from odoo.addons.connector_base.lib.dates import parse_timestamp

from .filters import as_id


def profile_values(profile):
    """A ``metadata/customer`` profile: its id, network, name, handle, native id and group ids."""
    return {
        "profile_id": as_id(profile["customer_profile_id"]),
        "network": profile.get("network_type") or False,
        "name": profile.get("name") or as_id(profile["customer_profile_id"]),
        "handle": profile.get("native_name") or False,
        "native_id": as_id(profile.get("native_id")) or False,
        "group_ids": sorted({as_id(group) for group in profile.get("groups") or ()}),
    }


def group_values(group):
    return {"group_id": as_id(group["group_id"]), "name": group.get("name") or as_id(group["group_id"])}


def tag_values(tag):
    return {
        "tag_id": as_id(tag["tag_id"]),
        "name": tag.get("text") or as_id(tag["tag_id"]),
        "tag_type": (tag.get("type") or "").lower() or False,
        "active": tag.get("active", True) is not False,
    }


def user_values(user):
    """A Sprout user; its field names beyond ``id``, ``name`` and ``email`` are UNCONFIRMED."""
    return {
        "user_id": as_id(user["id"]),
        "name": user.get("name") or as_id(user["id"]),
        "email": user.get("email") or False,
    }


def message_values(message):
    """An inbox message: its guid, time, network, post type, profile, text, permalink,
    author, tag ids, language and whether the customer sent it."""
    author = message.get("from") or {}
    internal = message.get("internal") or {}
    sent_by = internal.get("sent_by") or {}
    sent = message.get("sent")
    return {
        "guid": message["guid"],
        "created_time": parse_timestamp(message.get("created_time")),
        "network": message.get("network") or False,
        "post_type": message.get("post_type") or False,
        "post_category": message.get("post_category") or False,
        "profile_id": as_id(message.get("customer_profile_id")),
        "text": message.get("text") or False,
        "permalink": message.get("perma_link") or False,
        "author_guid": author.get("guid") or False,
        "author_name": author.get("name") or False,
        "author_screen_name": author.get("screen_name") or False,
        "tag_ids": sorted(
            {as_id(tag.get("id")) for tag in internal.get("tags") or () if tag.get("id") is not None}
        ),
        "language": message.get("language_code") or False,
        "case_id": as_id(message.get("case_id")) or False,
        # ``sent`` where Sprout gives it, else a Sprout user sent it from the inbox.
        "sent_by_us": bool(sent) if sent is not None else bool(sent_by.get("id")),
    }


def message_event_id(message):
    """What a poll claims: the guid and the message as read, so the same message read
    again (the window's overlap) is one event and a later action on it another."""
    digest = hashlib.sha256(json.dumps(message, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return f"message:{message['guid']}:{digest}"
