import hashlib
import logging
from datetime import datetime, timedelta

from odoo import api, fields, models

from odoo.addons.connector_base.lib.dates import UTC, parse_iso_datetime
from odoo.addons.connector_base.lib.polling import Polled, PolledEvent
from odoo.addons.connector_base.lib.shrink import shrinking_as_read
from odoo.addons.connector_base.lib.sync import content_hash

from ..lib import mapper
from ..lib.client import now_utc
from ..lib.filters import split_profiles_or_period
from .sprout_backend_metadata import TAG

_logger = logging.getLogger(__name__)

MESSAGE = "message"
ACTIONS = "actions:"  # the action poll's container: ``actions:<group id>``


class SproutBackendPolling(models.Model):
    """The inbox, polled through the base's poll jobs: Sprout has no webhooks.

    Each group holding synced profiles is polled twice over (a messages request names one
    group; a profile in several groups is polled in its first), each poll one request:
    - its new messages (container: the group id), every few minutes: messages created since
      the cursor less the overlap; the cursor is the newest creation time seen;
    - the later actions on its messages (container ``actions:<group id>``), on a slower
      schedule: messages created in the last days with a Sprout action (reply, tag,
      completion) since the cursor less the overlap; the cursor is the end of the last
      window that brought a change.
    Sprout's filters are all required at once (no "created or acted since"), so one request
    cannot ask for both windows; two polls on their own schedules keep a poll to one request
    per group. Of each page, the messages whose values differ from those stored make one
    event, named by the messages it holds as read, which the poll stores itself while the
    next page is read ahead (no webhook brings it again; a page that cannot be stored is
    queued as an import job of its own on the poll's retry): what the overlap reads again
    unchanged is left out, and a poll that finds nothing new moves no cursor and writes nothing."""

    _inherit = "sprout.backend"  # pylint: disable=consider-merging-classes-inherited

    message_overlap_minutes = fields.Integer(
        string="Overlap (minutes)",
        default=15,
        help="Each poll reads again this far back before the newest message seen, for messages "
        "Sprout shows late.",
    )
    action_window_days = fields.Integer(
        string="Follow actions for (days)",
        default=30,
        help="Replies, tags and completions on messages created this many days back are brought in.",
    )
    first_poll_days = fields.Integer(
        string="First import (days)", default=7, help="How far back the first poll of a group reads."
    )

    def _sprout_polling_group(self, profile):
        """The one group a profile is polled in (its first active one): a profile in two
        groups is read once."""
        return profile.group_ids.filtered("active").sorted("id")[:1]

    def _sprout_polled_profiles(self, group):
        return self.profile_ids.filtered(
            lambda profile: profile.sync_messages and self._sprout_polling_group(profile) == group
        )

    def _sprout_polled_groups(self):
        synced = self.profile_ids.filtered("sync_messages")
        return self.env["sprout.group"].union(*(self._sprout_polling_group(profile) for profile in synced))

    def _connector_poll_containers(self):
        return {group.group_id: group.name for group in self._sprout_polled_groups()}

    def _sprout_action_containers(self):
        """{``actions:<group id>``: name} of the action polls."""
        return {
            f"{ACTIONS}{group.group_id}": self.env._("actions in %(group)s", group=group.name)
            for group in self._sprout_polled_groups()
        }

    @api.model
    def _cron_sprout_poll_actions(self):
        for backend in self._connector_pollable_backends():
            backend._connector_enqueue_polls(backend._sprout_action_containers())

    def _connector_poll(self, container, cursor):
        acted = container.startswith(ACTIONS)
        group_id = container.removeprefix(ACTIONS)
        group = self.group_ids.filtered(lambda group: group.group_id == group_id)
        profiles = self._sprout_polled_profiles(group)
        if not profiles:
            return Polled(None)
        now = now_utc()
        since = parse_iso_datetime(cursor) if cursor else now - timedelta(days=self.first_poll_days)
        start = min(since - timedelta(minutes=self.message_overlap_minutes), now)
        query = (profiles.mapped("profile_id"), start, now)
        created_since = min(start, now - timedelta(days=self.action_window_days))
        read = {"newest": since, "events": 0}
        # The name matches of this poll's authors, shared by its pages: an author writing
        # again a few pages on is not looked for among the contacts twice.
        name_matches = {}

        def events():
            """An event per page holding new or changed messages, each page read while the
            one before is stored (the poll applies them as they come)."""
            taken, splits = set(), []
            with self._sprout_session() as client:

                def fetch(query):
                    """The pages of one query: (profile ids, start, end) of the created window,
                    or of the action window on messages created since ``created_since``."""
                    profile_ids, start, end = query
                    if acted:
                        return client.messages_acted(
                            group_id, profile_ids, created_since, start, end, read_ahead=True
                        )
                    return client.messages_created(group_id, profile_ids, start, end, read_ahead=True)

                # A 504 means the query was too big for Sprout: its parts (fewer profiles,
                # then shorter windows, the same ground) are read instead. What a part read
                # before failing comes again from its parts: a message already in an event
                # of this poll is left out.
                for page in shrinking_as_read(
                    fetch, query, split_profiles_or_period, on_split=lambda query, parts: splits.append(query)
                ):
                    if page and not acted:
                        read["newest"] = max([read["newest"], *(_created(message) for message in page)])
                    fresh = [message for message in page if str(message["guid"]) not in taken]
                    changed, stored = self._sprout_changed_messages(fresh)
                    if changed:
                        taken.update(str(message["guid"]) for message in changed)
                        read["events"] += 1
                        yield _page_event(group_id, changed, stored, name_matches)
            if splits:
                _logger.info(
                    "%s: Sprout timed out on %s messages request(s) of group %s, "
                    "asked again in smaller parts",
                    self.display_name,
                    len(splits),
                    group_id,
                )

        def moved_cursor():
            # Every action up to ``now`` that changed a message is in: the next window starts there.
            newest = (now if read["events"] else since) if acted else read["newest"]
            moved = newest.strftime("%Y-%m-%dT%H:%M:%SZ")
            return moved if moved != cursor else None

        return Polled(moved_cursor, events())

    def _connector_poll_job_values(self, payload, event_id):
        group = self.group_ids.filtered(lambda group: group.group_id == payload["group"])
        return [
            self._connector_job_values(
                "_job_import_messages",
                payload,
                name=self.env._(
                    "Import %(count)s message(s) of group %(group)s",
                    count=len(payload["messages"]),
                    group=group.name or payload["group"],
                ),
                object_type=MESSAGE,
                object_name=group.name,
            )
        ]

    def _connector_poll_apply(self, payload, read=None):
        """A page of new or changed messages is stored by the poll that read it: Sprout
        has no webhooks, so no delivery brings it again (a page that fails to store is
        queued as an import job of its own). The poll's lookup of the page's bindings
        serves the upsert (no second one), and the name matches its pages share serve the
        author matching."""
        read = read or {}
        return self._sprout_import_messages(
            payload["messages"], bound=read.get("bound"), name_matches=read.get("name_matches")
        )

    def _job_import_messages(self, job):
        """Store a page of polled messages, one record per guid, match their authors and
        turn those the lead rules pick into leads."""
        return self._sprout_import_messages(job.payload["messages"])

    def _sprout_import_messages(self, messages, bound=None, name_matches=None):
        """``bound``: a lookup of these messages' bindings made in this transaction (see
        ``connector.external.binding._upsert``), or None; ``name_matches``: the name matches
        made in this transaction (see :meth:`_sprout_partners_by_name`), or None."""
        items = self._sprout_message_items(messages)
        # Messages are only ever imported: their bindings need no copy of the values synced.
        result = self.env["sprout.message"]._connector_upsert(
            self, MESSAGE, items, bound=bound, keep_synced_values=False
        )
        # The records the upsert made or found, newest first as the model orders them (the
        # first email an author wrote is looked for in that order).
        messages = (
            self.env["sprout.message"]
            .browse(list(dict.fromkeys(result.record_ids.values())))
            .sorted(_newest_first, reverse=True)
        )
        self._sprout_match_authors(messages, name_matches=name_matches)
        self._sprout_make_leads(messages)
        return {
            **result.as_job_result(),
            "summary": self.env._(
                "%(created)s new message(s), %(updated)s updated, %(skipped)s unchanged.",
                created=result.created,
                updated=result.updated,
                skipped=result.skipped,
            ),
        }

    def _sprout_message_items(self, messages):
        """The upsert items of these messages: their values with profile and tags resolved."""
        values = [mapper.message_values(message) for message in messages]
        tags = self._sprout_tags_of(values)
        profiles = self.env["sprout.profile"]._connector_find(
            self, "profile", list({value["profile_id"] for value in values if value["profile_id"]})
        )
        items = []
        for message in values:
            profile = profiles.get(message.pop("profile_id"))
            tag_ids = sorted(tags[tag].id for tag in message.pop("tag_ids") if tag in tags)
            items.append(
                {
                    "external_id": message["guid"],
                    "values": {
                        **message,
                        "backend_id": self.id,
                        "profile_id": profile.id if profile else False,
                        "tag_ids": [(6, 0, tag_ids)],
                    },
                }
            )
        return items

    def _sprout_changed_messages(self, messages):
        """The messages whose values are not those stored already (new ones included): what
        the overlap reads again unchanged queues nothing; and the lookup of their bindings
        that told (one per page), as :meth:`_sprout_import_messages` takes it."""
        if not messages:
            return [], {}
        stored = self.env["connector.external.binding"]._lookup(
            self, MESSAGE, [str(message["guid"]) for message in messages]
        )
        # A new message is queued as it is; only those stored already are mapped to compare.
        known = [message for message in messages if str(message["guid"]) in stored]
        unchanged = (
            {
                item["external_id"]
                for item in self._sprout_message_items(known)
                if stored[item["external_id"]][2] == content_hash(item["values"])
            }
            if known
            else set()
        )
        return [message for message in messages if str(message["guid"]) not in unchanged], stored

    def _sprout_tags_of(self, values):
        """{tag id: sprout.tag} of the messages' tags; tags Sprout created since the last
        metadata read are read first, so no tag is lost."""
        wanted = {tag for value in values for tag in value["tag_ids"]}
        Tag = self.env["sprout.tag"].with_context(active_test=False)
        found = Tag._connector_find(self, TAG, list(wanted))
        if wanted - set(found):
            with self._sprout_session() as client:
                self._sprout_sync_tags(client.tags())
            found = Tag._connector_find(self, TAG, list(wanted))
        return found


def _newest_first(message):
    """The sort key of the model's order reversed: no time first, then the newest time, the highest id."""
    return (not message.created_time, message.created_time or datetime.min, message.id)


def _created(message):
    moment = parse_iso_datetime(message["created_time"])
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _page_event(group, page, bound, name_matches):
    """One page of messages as a polled event, named by what it holds as read, with the
    lookup of their bindings the poll made (``bound``) and the name matches its pages share."""
    digest = hashlib.sha256(
        "\n".join(sorted(mapper.message_event_id(message) for message in page)).encode()
    ).hexdigest()[:32]
    return PolledEvent(
        f"messages:{group}:{digest}",
        {"group": group, "messages": list(page)},
        read={"bound": bound, "name_matches": name_matches},
    )
