"""Draft posts as Sprout's publishing endpoint takes them, and what it answers (ORM-free).

Sprout creates drafts only (``is_draft: true``), for profiles of one group, scheduled at
times in the future (seconds rounded down), with media uploaded beforehand as
``multipart/form-data`` (photos and videos of the types its reference lists). Its answer
fans the post out: one object per profile and scheduled time, ``customer_profile_id`` a
string, the calendar post's ``publishing_post_id`` under ``internal.publishing``.
"""

from odoo.addons.connector_base.lib.dates import UTC

from .filters import as_id

PHOTO_TYPES = frozenset(
    {
        "image/png",
        "image/gif",
        "image/webp",
        "image/jpeg",
        "image/heic",
        "image/avif",
        "image/heif",
        "image/heic-sequence",
        "image/x-heif-jpeg",
    }
)
VIDEO_TYPES = frozenset(
    {
        "video/x-msvideo",
        "video/quicktime",
        "video/mp4",
        "video/mpeg",
        "video/hevc",
        "video/avc",
        "video/av1",
        "video/webm",
        "video/x-matroska",
        "application/x-matroska",
    }
)


def media_type(mimetype):
    """``PHOTO`` or ``VIDEO`` for a type Sprout takes, else None."""
    if mimetype in PHOTO_TYPES:
        return "PHOTO"
    if mimetype in VIDEO_TYPES:
        return "VIDEO"
    return None


def as_utc(moment):
    """An aware UTC datetime of ``moment`` (a naive one is UTC, as Odoo stores them)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def scheduled_time(moment):
    """A scheduled time as Sprout takes it: UTC, to the minute (Sprout drops the seconds)."""
    return as_utc(moment).strftime("%Y-%m-%dT%H:%M:00Z")


def draft_post_body(group_id, profile_ids, *, text=None, media=(), scheduled_times=(), tag_ids=()):
    """The body of ``POST publishing/posts``; ``media`` are ``(media id, PHOTO|VIDEO)``
    pairs, ``scheduled_times`` aware or naive-UTC datetimes."""
    body = {
        "group_id": int(as_id(group_id)),
        "customer_profile_ids": [int(as_id(profile)) for profile in profile_ids],
        "is_draft": True,
    }
    if text:
        body["text"] = text
    if media:
        body["media"] = [{"media_id": media_id, "media_type": kind} for media_id, kind in media]
    if scheduled_times:
        body["delivery"] = {
            "type": "SCHEDULED",
            "scheduled_times": [scheduled_time(moment) for moment in sorted(scheduled_times, key=as_utc)],
        }
    if tag_ids:
        body["tag_ids"] = [int(as_id(tag)) for tag in tag_ids]
    return body


def created_posts(records):
    """The fanned-out objects of an answer as ``{publishing_post_id, profile_id,
    scheduled_time, permalink}`` (ids as text, however Sprout spelled them)."""
    result = []
    for record in records:
        publishing = (record.get("internal") or {}).get("publishing") or {}
        deliveries = publishing.get("deliveries") or [{}]
        for delivery in deliveries:
            result.append(
                {
                    "publishing_post_id": as_id(publishing.get("publishing_post_id")),
                    "profile_id": as_id(record.get("customer_profile_id")),
                    "scheduled_time": delivery.get("scheduled_time"),
                    "permalink": publishing.get("perma_link"),
                }
            )
    return result
