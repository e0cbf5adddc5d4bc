import base64
import json
from datetime import datetime, timedelta, timezone

from odoo import fields
from odoo.exceptions import UserError, ValidationError

from odoo.addons.connector_sprout.tests.emulator import MEDIA, PUBLISHING

from .common import SproutCase

# A 1x1 transparent PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


class TestPublishing(SproutCase):
    """Draft posts composed in Odoo become drafts in Sprout, sent by a job."""

    def setUp(self):
        super().setUp()
        self.sync_metadata()
        self.shops = self.backend.group_ids.filtered(lambda group: group.name == "ACME Shops")
        self.profiles = self.backend.profile_ids.filtered(
            lambda profile: profile.name in ("ACME", "ACME Lisboa")
        )
        self.question = self.env["sprout.tag"].search(
            [("backend_id", "=", self.backend.id), ("name", "=", "Question")]
        )
        self.image = self.env["ir.attachment"].create(
            {"name": "shop.png", "raw": PNG, "mimetype": "image/png"}
        )
        self.soon = (datetime.now() + timedelta(days=2)).replace(microsecond=0)

    def draft(self, **values):
        return self.env["sprout.draft.post"].create(
            {
                "name": "Spring teaser",
                "backend_id": self.backend.id,
                "group_id": self.shops.id,
                "profile_ids": [(6, 0, self.profiles.ids)],
                "text": "Spring is here: new collection in store",
                "tag_ids": [(6, 0, self.question.ids)],
                "image_ids": [(6, 0, self.image.ids)],
                "scheduled_time_ids": [
                    (0, 0, {"scheduled_at": self.soon}),
                    (0, 0, {"scheduled_at": self.soon + timedelta(days=1, seconds=42)}),
                ],
                **values,
            }
        )

    def send_jobs(self):
        return self.jobs(method_name="_job_send_draft_post")

    def test_a_draft_with_an_image_is_sent_by_a_job_and_its_sprout_ids_kept(self):
        post = self.draft()

        post.action_send()

        self.assertEqual(post.state, "queued")
        self.assertEqual(
            (self.sprout.count(MEDIA), self.sprout.count(PUBLISHING)), (0, 0), "not from the button"
        )
        self.run_jobs()
        self.assertEqual(post.state, "sent")
        self.assertEqual(self.send_jobs().state, "done")
        upload = next(request for request in self.sprout.requests if request.route == MEDIA)
        self.assertEqual(upload.content_type, "multipart/form-data")
        ((media_id, media),) = self.sprout.media.items()
        self.assertEqual(
            (media["content"], media["content_type"], media["filename"]), (PNG, "image/png", "shop.png")
        )
        sent = json.loads(post.sent_body)
        self.assertEqual(sent["is_draft"], True)
        self.assertEqual(sent["group_id"], 23598)
        self.assertEqual(sorted(sent["customer_profile_ids"]), [4921, 5921])
        self.assertEqual(sent["media"], [{"media_id": media_id, "media_type": "PHOTO"}])
        self.assertEqual(sent["tag_ids"], [int(self.question.tag_id)])
        later = self.soon + timedelta(days=1, seconds=42)
        self.assertEqual(
            sent["delivery"]["scheduled_times"],
            [self.soon.strftime("%Y-%m-%dT%H:%M:00Z"), later.strftime("%Y-%m-%dT%H:%M:00Z")],
            "to the minute, as Sprout keeps them",
        )
        self.assertEqual(len(post.result_ids), 4, "two profiles at two times")
        self.assertEqual(set(post.result_ids.profile_id.mapped("name")), {"ACME", "ACME Lisboa"})
        made = {str(p["internal"]["publishing"]["publishing_post_id"]) for p in self.sprout.publishing_posts}
        self.assertEqual(set(post.result_ids.mapped("publishing_post_id")), made)
        self.assertEqual(len(made), 2, "one calendar post per profile")
        self.assertFalse(post.refusal)

    def test_a_past_time_is_refused_with_a_clear_error(self):
        with self.assertRaises(ValidationError) as refused:
            self.draft(scheduled_time_ids=[(0, 0, {"scheduled_at": datetime.now() - timedelta(hours=1)})])

        self.assertIn("in the future only", str(refused.exception))
        self.assertIn("has passed", str(refused.exception))

    def test_a_time_passed_before_sending_is_refused_and_nothing_queued(self):
        post = self.draft()
        post.scheduled_time_ids[:1].flush_recordset()
        self.env.cr.execute(
            "UPDATE sprout_draft_post_time SET scheduled_at = %s WHERE id = %s",
            [fields.Datetime.now() - timedelta(minutes=5), post.scheduled_time_ids[0].id],
        )
        post.scheduled_time_ids.invalidate_recordset()

        with self.assertRaises(ValidationError):
            post.action_send()

        self.assertFalse(self.send_jobs())

    def test_a_time_passed_while_waiting_is_refused_on_the_record(self):
        post = self.draft()
        post.action_send()
        self.env.cr.execute(
            "UPDATE sprout_draft_post_time SET scheduled_at = %s WHERE id = %s",
            [fields.Datetime.now() - timedelta(minutes=5), post.scheduled_time_ids[0].id],
        )
        post.scheduled_time_ids.invalidate_recordset()

        self.run_jobs()

        self.assertEqual(post.state, "refused")
        self.assertIn("has passed", post.refusal)
        self.assertEqual(self.sprout.count(PUBLISHING), 0)
        self.assertEqual(self.send_jobs().state, "done")

    def test_sprouts_refusal_is_shown_in_words_with_what_was_sent(self):
        post = self.draft()
        # In Sprout, ACME Lisboa has left the group since Odoo read it.
        self.sprout.profile(5921)["groups"] = [self.sample["groups"]["ACME Brand"]]

        post.action_send()
        self.run_jobs()

        self.assertEqual(post.state, "refused")
        self.assertEqual(
            post.refusal, "Sprout Social refused the draft post: Profile 5921 does not belong to group 23598"
        )
        self.assertEqual(json.loads(post.sent_body)["customer_profile_ids"], [4921, 5921])
        self.assertFalse(post.result_ids)
        self.assertFalse(self.jobs(state="failed"))
        post.action_back_to_draft()
        self.assertEqual(post.state, "draft")

    def test_what_sprout_cannot_take_is_refused_before_sending(self):
        pdf = self.env["ir.attachment"].create(
            {"name": "menu.pdf", "raw": b"%PDF-1.4", "mimetype": "application/pdf"}
        )
        with self.assertRaises(UserError) as refused:
            self.draft(image_ids=[(6, 0, pdf.ids)]).action_send()
        self.assertIn("photos and videos only", str(refused.exception))
        with self.assertRaises(UserError) as empty:
            self.draft(text=False, image_ids=[(5, 0, 0)]).action_send()
        self.assertIn("neither text nor image", str(empty.exception))
        self.assertFalse(self.send_jobs())

    def test_a_429_on_publishing_is_waited_out_and_nothing_is_lost(self):
        post = self.draft()
        self.sprout.rate_limit_next(route=PUBLISHING)

        post.action_send()
        self.run_jobs()

        job = self.send_jobs()
        self.assertEqual((job.state, post.state), ("pending", "queued"))
        self.assertFalse(self.sprout.publishing_posts)
        self.make_due(job)
        self.run_jobs()
        self.assertEqual((job.state, post.state), ("done", "sent"))
        self.assertEqual(len(self.sprout.publishing_posts), 4, "made once")
        self.assertEqual(len(post.result_ids), 4)

    def test_a_202_on_publishing_is_asked_again_and_nothing_is_lost(self):
        post = self.draft()
        self.sprout.not_ready_next(
            route=PUBLISHING,
            wait_until=(datetime.now(timezone.utc) + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )

        post.action_send()
        self.run_jobs()

        self.assertEqual(post.state, "sent")
        self.assertEqual(self.sprout.count(PUBLISHING), 2, "asked again after the 202")
        self.assertEqual(len(self.sprout.publishing_posts), 4, "made once")
        self.assertEqual(len(post.result_ids), 4)

    # Sprout takes no idempotency key and lists no drafts: a draft post whose answer was
    # lost is never sent again by itself, a person looks in Sprout.

    def test_a_5xx_after_sprout_made_the_draft_sends_nothing_again_and_asks_a_person(self):
        post = self.draft()
        self.sprout.fail_after_making = [500]

        post.action_send()
        self.run_jobs()

        self.assertEqual(post.state, "unknown")
        self.assertEqual(self.sprout.count(PUBLISHING), 1, "not resent within the call")
        self.assertEqual(len(self.sprout.publishing_posts), 4, "made once")
        self.assertIn("may have made this draft", post.refusal)
        self.assertIn("publishing calendar", post.refusal)
        self.assertEqual(json.loads(post.sent_body)["text"], post.text)
        self.assertEqual(self.send_jobs().state, "done")
        self.assertFalse(self.jobs(state="failed"))
        self.run_jobs()
        self.assertEqual(self.sprout.count(PUBLISHING), 1, "nor later by the queue")

        post.action_mark_made()

        self.assertEqual(post.state, "sent")
        self.assertFalse(post.refusal)

    def test_a_5xx_before_sprout_made_it_is_sent_again_when_a_person_says_so(self):
        post = self.draft()
        self.sprout.fail_next(504, route=PUBLISHING)

        post.action_send()
        self.run_jobs()
        self.assertEqual(post.state, "unknown")
        self.assertFalse(self.sprout.publishing_posts)

        post.action_send()  # "It is not in Sprout: send again"
        self.run_jobs()

        self.assertEqual(post.state, "sent")
        self.assertEqual(len(self.sprout.publishing_posts), 4)
        self.assertEqual(len(post.result_ids), 4)

    def test_a_worker_dying_while_sprout_makes_the_draft_leaves_no_second_one(self):
        post = self.draft()
        post.action_send()
        # The first attempt recorded its intent, sent the draft and died before the answer.
        self.env["connector.create.intent"].sudo()._open(self.backend, "draft_post", post)

        self.run_jobs()

        self.assertEqual(post.state, "unknown")
        self.assertIn("interrupted", post.refusal)
        self.assertEqual(self.sprout.count(PUBLISHING), 0)
        self.assertEqual(self.send_jobs().state, "done")
