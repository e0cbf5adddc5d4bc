import base64
import hashlib
import hmac
import json

import pytest
import requests

from emulators.framework import Emulator, Response
from emulators.trello import DEMO_API_KEY, DEMO_APP_SECRET, DEMO_TOKEN, DemoPages, TrelloEmulator, load_sample

AUTH = {"Authorization": f'OAuth oauth_consumer_key="{DEMO_API_KEY}", oauth_token="{DEMO_TOKEN}"'}


@pytest.fixture
def trello():
    emulator = TrelloEmulator()
    emulator.sample = load_sample(emulator)
    with emulator:
        yield emulator


@pytest.fixture
def receiver():
    emulator = Emulator()
    emulator.status = 200
    emulator.router.add("HEAD", "/hook", lambda request: Response(200))
    emulator.router.add("POST", "/hook", lambda request: Response(emulator.status))
    with emulator:
        yield emulator


def api(trello, method, path, **kwargs):
    return requests.request(method, trello.url(path), headers=AUTH, timeout=5, **kwargs)


def watch(trello, receiver):
    answer = api(
        trello,
        "POST",
        "/1/webhooks",
        data={"idModel": trello.sample["board"], "callbackURL": receiver.url("/hook")},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_change_is_delivered_signed_with_body_plus_callback_url(trello, receiver):
    webhook = watch(trello, receiver)
    card = trello.sample["cards"]["Order laptops"]
    trello.move_card(card, trello.sample["lists"]["Done"])

    assert trello.deliver_pending() == [200]

    [post] = [request for request in receiver.requests if request.method == "POST"]
    expected = base64.b64encode(
        hmac.new(DEMO_APP_SECRET.encode(), post.body + webhook["callbackURL"].encode(), hashlib.sha1).digest()
    ).decode()
    assert post.headers["X-Trello-Webhook"] == expected
    action = json.loads(post.body)["action"]
    assert action["type"] == "updateCard"
    assert action["data"]["old"] == {"idList": trello.sample["lists"]["To do"]}
    assert action["data"]["listAfter"]["name"] == "Done"


def test_webhook_creation_requires_a_200_head_answer_and_refuses_duplicates(trello, receiver):
    refused = api(
        trello,
        "POST",
        "/1/webhooks",
        data={"idModel": trello.sample["board"], "callbackURL": receiver.url("/missing")},
    )
    assert refused.status_code == 400
    assert trello.webhooks == {}

    watch(trello, receiver)
    again = api(
        trello,
        "POST",
        "/1/webhooks",
        data={"idModel": trello.sample["board"], "callbackURL": receiver.url("/hook")},
    )
    assert again.status_code == 400
    assert len(trello.webhooks) == 1


def test_failed_deliveries_deactivate_the_webhook_and_410_deletes_it(trello, receiver):
    webhook = watch(trello, receiver)
    card = trello.sample["cards"]["Order laptops"]
    receiver.status = 500
    for text in ("one", "two", "three"):
        trello.comment(card, text)
    trello.deliver_pending()
    assert trello.webhooks[webhook["id"]]["active"] is False
    assert trello.webhooks[webhook["id"]]["consecutiveFailures"] == 3

    api(trello, "PUT", f"/1/webhooks/{webhook['id']}", data={"active": "true"})
    receiver.status = 410
    trello.comment(card, "four")
    trello.deliver_pending()
    assert trello.webhooks == {}


def test_webhook_only_actions_are_left_out_of_the_board_action_listing(trello):
    card = trello.sample["cards"]["Order laptops"]
    trello.add_label_to_card(card, trello.sample["labels"]["Urgent"])
    trello.comment(card, "Listed")

    listed = api(trello, "GET", f"/1/boards/{trello.sample['board']}/actions", params={"limit": 5}).json()

    assert listed[0]["type"] == "commentCard"
    assert "addLabelToCard" not in {action["type"] for action in listed}


def test_authorize_sends_the_person_back_with_a_working_token_in_the_fragment(trello):
    answer = requests.get(
        trello.url("/1/authorize"),
        params={"key": DEMO_API_KEY, "name": "Odoo", "return_url": "http://odoo.test/back", "approve": "1"},
        allow_redirects=False,
        timeout=5,
    )

    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith("http://odoo.test/back#token=")
    token = location.split("#token=")[1]
    me = requests.get(
        trello.url("/1/members/me"),
        headers={"Authorization": f'OAuth oauth_consumer_key="{DEMO_API_KEY}", oauth_token="{token}"'},
        timeout=5,
    )
    assert me.json()["id"] == trello.me


def test_revoking_the_token_deletes_its_webhooks_and_answers_401(trello, receiver):
    watch(trello, receiver)
    trello.revoke_token(DEMO_TOKEN)

    answer = api(trello, "GET", "/1/members/me")

    assert (answer.status_code, answer.text) == (401, "invalid token")
    assert trello.webhooks == {}


def test_faults_answer_like_trello(trello):
    trello.fail_next(429)
    limited = api(trello, "GET", "/1/members/me")
    assert limited.status_code == 429
    assert limited.json()["error"] == "API_TOKEN_LIMIT_EXCEEDED"
    assert limited.headers["X-Rate-Limit-Api-Token-Interval-Ms"] == "10000"

    trello.fail_next(401)
    assert api(trello, "GET", "/1/members/me").text == "invalid token"
    assert api(trello, "GET", "/1/members/me").status_code == 200


def test_the_demo_page_changes_cards_as_a_person_would_and_hands_out_the_demo_credentials(trello, receiver):
    DemoPages(trello)
    watch(trello, receiver)
    card = trello.sample["cards"]["Order laptops"]

    page = requests.get(trello.url("/"), timeout=5)
    assert "Order laptops" in page.text
    answer = requests.post(
        trello.url(f"/demo/cards/{card}"),
        data={"name": "Order laptops", "idList": trello.sample["lists"]["Done"], "comment": "Done!"},
        allow_redirects=False,
        timeout=5,
    )

    assert answer.status_code == 303
    assert trello.cards[card]["idList"] == trello.sample["lists"]["Done"]
    assert [delivery.action["type"] for delivery in trello.outbox] == ["updateCard", "commentCard"]
    assert {delivery.action["memberCreator"]["username"] for delivery in trello.outbox} == {"bruno"}
    credentials = requests.get(trello.url("/demo/credentials"), timeout=5).json()
    assert credentials == {"api_key": DEMO_API_KEY, "app_secret": DEMO_APP_SECRET, "token": DEMO_TOKEN}


def test_a_restarted_demo_emulator_serves_the_same_ids_and_newer_actions_after_them():
    runs = []
    for _run in range(2):
        emulator = TrelloEmulator(fixed_ids=True)
        sample = load_sample(emulator)
        with emulator:
            action = emulator.comment(sample["cards"]["Order laptops"], "after the start")
        runs.append((emulator.me, sample, action["id"]))

    (me_1, sample_1, action_1), (me_2, sample_2, _action_2) = runs
    assert (me_1, sample_1) == (me_2, sample_2)
    assert action_1 > max(sample_1["cards"].values()), "what happens once started sorts after the sample"
