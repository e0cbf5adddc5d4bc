"""Draft posts as Sprout's publishing endpoint takes them, and its fanned-out answer."""

from datetime import datetime, timezone

import requests

from odoo.addons.connector_base.lib.oauth import StaticToken
from odoo.addons.connector_sprout.lib.client import SproutClient
from odoo.addons.connector_sprout.lib.publishing import created_posts, draft_post_body, media_type
from odoo.addons.connector_sprout.tests.emulator import (
    DEMO_TOKEN,
    MEDIA,
    PUBLISHING,
    SproutEmulator,
    load_sample,
)

UTC = timezone.utc


def test_media_types_are_photos_or_videos_as_sprout_lists_them():
    assert media_type("image/png") == "PHOTO"
    assert media_type("video/mp4") == "VIDEO"
    assert media_type("application/pdf") is None


def test_the_body_is_a_draft_of_one_group_with_times_to_the_minute():
    body = draft_post_body(
        "23598",
        ["4921", 6921],
        text="Spring is here",
        media=[("m-1", "PHOTO")],
        scheduled_times=[datetime(2030, 5, 2, 10, 30, 45), datetime(2030, 5, 1, 9, 0, tzinfo=UTC)],
        tag_ids=["321"],
    )

    assert body == {
        "group_id": 23598,
        "customer_profile_ids": [4921, 6921],
        "is_draft": True,
        "text": "Spring is here",
        "media": [{"media_id": "m-1", "media_type": "PHOTO"}],
        "delivery": {
            "type": "SCHEDULED",
            "scheduled_times": ["2030-05-01T09:00:00Z", "2030-05-02T10:30:00Z"],
        },
        "tag_ids": [321],
    }
    assert draft_post_body(1, [2]) == {"group_id": 1, "customer_profile_ids": [2], "is_draft": True}


def test_the_answer_is_read_one_post_per_profile_and_time_whatever_the_id_spelling():
    answer = [
        {
            "customer_profile_id": "2345",
            "internal": {
                "publishing": {
                    "publishing_post_id": 4567890,
                    "perma_link": "https://app.sproutsocial.com/publishing/activity/1234/4567890",
                    "deliveries": [{"type": "SCHEDULED", "scheduled_time": "2024-06-30T18:20:00Z"}],
                }
            },
        }
    ]

    assert created_posts(answer) == [
        {
            "publishing_post_id": "4567890",
            "profile_id": "2345",
            "scheduled_time": "2024-06-30T18:20:00Z",
            "permalink": "https://app.sproutsocial.com/publishing/activity/1234/4567890",
        }
    ]


def test_an_image_is_uploaded_as_multipart_and_a_draft_is_fanned_out_by_the_emulator():
    with SproutEmulator() as sprout:
        load_sample(sprout)
        client = SproutClient(sprout.base_url, token_provider=StaticToken(DEMO_TOKEN))
        media = client.upload_media("shop.png", b"\x89PNG fake", "image/png")
        created = client.create_draft_post(
            draft_post_body(
                23598,
                [4921, 5921],
                text="Hi",
                media=[(media["media_id"], "PHOTO")],
                scheduled_times=[
                    datetime(2030, 1, 1, 12, 0, tzinfo=UTC),
                    datetime(2030, 1, 2, 12, 0, tzinfo=UTC),
                ],
            )
        )

        upload = next(request for request in sprout.requests if request.route == MEDIA)
        assert upload.content_type == "multipart/form-data"
        assert sprout.media[media["media_id"]]["content"] == b"\x89PNG fake"
        posts = created_posts(created)
        assert len(posts) == 4, "two profiles by two times"
        assert {post["profile_id"] for post in posts} == {"4921", "5921"}
        assert len({post["publishing_post_id"] for post in posts}) == 2, "one calendar post per profile"
        assert all(isinstance(record["customer_profile_id"], str) for record in created)
        assert sprout.count(PUBLISHING) == 1


def test_the_emulator_refuses_what_sprout_refuses_in_words():
    with SproutEmulator() as sprout:
        load_sample(sprout)
        url = sprout.url("/v1/687751/publishing/posts")
        headers = {"Authorization": f"Bearer {DEMO_TOKEN}"}

        def refusal(body):
            answer = requests.post(url, json=body, headers=headers, timeout=5)
            assert answer.status_code == 400
            return answer.json()["error"]

        assert "draft" in refusal({"group_id": 23598, "customer_profile_ids": [4921]})
        assert "does not belong to group" in refusal(
            {"group_id": 23599, "customer_profile_ids": [5921], "is_draft": True}
        )
        past = {"type": "SCHEDULED", "scheduled_times": ["2020-01-01T00:00:00Z"]}
        assert "not in the future" in refusal(
            {"group_id": 23598, "customer_profile_ids": [4921], "is_draft": True, "delivery": past}
        )
        pdf = requests.post(
            sprout.url("/v1/687751/media/"),
            files={"media": ("a.pdf", b"%PDF", "application/pdf")},
            headers=headers,
            timeout=5,
        )
        assert pdf.status_code == 400 and "Unsupported media type" in pdf.json()["error"]
