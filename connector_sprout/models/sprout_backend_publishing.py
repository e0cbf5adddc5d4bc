import json

from odoo import models
from odoo.exceptions import ValidationError

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.dates import parse_timestamp
from odoo.addons.connector_base.models.connector_error_text import connector_error_text

from ..lib.publishing import created_posts, draft_post_body, media_type

# What Sprout answers about the request itself (a 4xx other than a refused credential):
# sending it again would be refused again, so the post says why instead of the job retrying.
REFUSALS = (errors.ValidationError, errors.PermissionDeniedError, errors.NotFoundError)


class SproutBackendPublishing(models.Model):
    """Draft posts sent to Sprout, in a job: the images uploaded (multipart) just before
    the draft is made, since Sprout keeps uploaded media about a day. A 429, a 202 or a
    5xx leaves the post waiting and the job retries; a refusal of the post is kept on it
    in words, with what was sent."""

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
                created = client.create_draft_post(body)
            except REFUSALS as error:
                reason = error.platform_message or connector_error_text(self.env, error)
                return self._sprout_post_refused(post, reason, body)
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

    def _sprout_post_refused(self, post, reason, body):
        post.write(
            {
                "state": "refused",
                "refusal": self.env._("Sprout Social refused the draft post: %(reason)s", reason=reason),
                "sent_body": json.dumps(body, indent=2) if body else False,
            }
        )
        return {"skipped": 1, "summary": post.refusal}
