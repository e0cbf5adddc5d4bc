import json

from odoo import models
from odoo.exceptions import ValidationError

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.dates import parse_timestamp
from odoo.addons.connector_base.lib.http_client import NotReadyError
from odoo.addons.connector_base.models.connector_error_text import connector_error_text

from ..lib.publishing import created_posts, draft_post_body, media_type
from .sprout_draft_post import DRAFT_POST

# What Sprout answers about the request itself (a 4xx other than a refused credential):
# sending it again would be refused again, so the post says why instead of the job retrying.
REFUSALS = (errors.ValidationError, errors.PermissionDeniedError, errors.NotFoundError)


class _OutcomeUnknown(Exception):
    """An earlier attempt may have made the draft: why, in words."""


class SproutBackendPublishing(models.Model):
    """Draft posts sent to Sprout, in a job: the images uploaded (multipart) just before
    the draft is made, since Sprout keeps uploaded media about a day. A 429 (or a 5xx on
    an upload) leaves the post waiting and the job retries; a refusal of the post is kept
    on it in words, with what was sent. Sprout takes no idempotency key and lists no
    drafts, so a draft whose answer did not come (a 5xx, a lost connection, a worker
    dying) is not sent again: the post says "outcome unknown, check in Sprout"."""

    _inherit = "sprout.backend"  # pylint: disable=consider-merging-classes-inherited

    def _job_send_draft_post(self, job):
        post = self.env["sprout.draft.post"].browse(job.payload["post_id"]).exists()
        if not post or post.state != "queued":
            return {
                "skipped": 1,
                "summary": self.env._("Nothing to send: the post was deleted or sent already."),
            }
        try:
            post.scheduled_time_ids._sprout_check_future()
        except ValidationError as error:
            return self._sprout_post_refused(post, error.args[0], None)
        body = None
        Intent = self.env["connector.create.intent"].sudo()
        with self._sprout_session() as client:
            try:
                media = [
                    (
                        client.upload_media(image.name, image.raw, image.mimetype).get("media_id"),
                        media_type(image.mimetype),
                    )
                    for image in post.image_ids
                ]
                body = draft_post_body(
                    post.group_id.group_id,
                    post.profile_ids.mapped("profile_id"),
                    text=post.text,
                    media=media,
                    scheduled_times=post.scheduled_time_ids.mapped("scheduled_at"),
                    tag_ids=post.tag_ids.mapped("tag_id"),
                )
            except REFUSALS as error:
                reason = error.platform_message or connector_error_text(self.env, error)
                return self._sprout_post_refused(post, reason, body)

            def create(_token):
                try:
                    return client.create_draft_post(body)
                except (*REFUSALS, errors.RateLimitedError, errors.AuthenticationError):
                    # Sprout did not make it: the next attempt may send it again.
                    Intent._forget(self, DRAFT_POST, post)
                    raise

            def find(_token, started_at):
                raise _OutcomeUnknown(
                    self.env._(
                        "an attempt to send it (started %(moment)s UTC) was interrupted before Sprout "
                        "answered",
                        moment=started_at,
                    )
                )

            # The intent is committed before the call: a worker dying while Sprout makes the
            # drafts leaves it for the retry to find (the API cannot find a draft again).
            try:
                created, _made = self._connector_create_once(DRAFT_POST, post, create, find)
            except REFUSALS as error:
                reason = error.platform_message or connector_error_text(self.env, error)
                return self._sprout_post_refused(post, reason, body)
            except _OutcomeUnknown as unknown:
                return self._sprout_post_unknown(post, unknown.args[0], body)
            except (errors.ServerError, errors.NetworkError, NotReadyError) as error:
                return self._sprout_post_unknown(post, connector_error_text(self.env, error), body)
        profiles = {profile.profile_id: profile for profile in post.profile_ids}
        results = created_posts(created)
        post.write(
            {
                "state": "sent",
                "sent_body": json.dumps(body, indent=2),
                "refusal": False,
                "result_ids": [(5, 0, 0)]
                + [
                    (
                        0,
                        0,
                        {
                            "publishing_post_id": result["publishing_post_id"],
                            "profile_id": profiles[result["profile_id"]].id
                            if result["profile_id"] in profiles
                            else False,
                            "scheduled_at": parse_timestamp(result["scheduled_time"]),
                            "permalink": result["permalink"] or False,
                        },
                    )
                    for result in results
                ],
            }
        )
        return {
            "created": len(results),
            "summary": self.env._(
                "Draft post %(post)s made in Sprout Social: %(count)s post(s) on its calendar.",
                post=post.name,
                count=len({result["publishing_post_id"] for result in results}),
            ),
        }

    def _sprout_post_unknown(self, post, why, body):
        """Sprout may have made the drafts without saying so: sending again could make them
        twice, and its API finds no draft, so a person looks in Sprout and decides."""
        Intent = self.env["connector.create.intent"].sudo()
        Intent._close(self, DRAFT_POST, post)  # the post's state keeps what the intent said
        post.write(
            {
                "state": "unknown",
                "refusal": self.env._(
                    "Sprout Social may have made this draft: %(why)s. It was not sent again, so as not "
                    "to make it twice. Look for it in Sprout's publishing calendar: if it is there, "
                    "mark the post as made in Sprout; if not, send it again.",
                    why=why,
                ),
                "sent_body": json.dumps(body, indent=2) if body else False,
            }
        )
        return {"skipped": 1, "summary": post.refusal}

    def _sprout_post_refused(self, post, reason, body):
        post.write(
            {
                "state": "refused",
                "refusal": self.env._("Sprout Social refused the draft post: %(reason)s", reason=reason),
                "sent_body": json.dumps(body, indent=2) if body else False,
            }
        )
        return {"skipped": 1, "summary": post.refusal}
