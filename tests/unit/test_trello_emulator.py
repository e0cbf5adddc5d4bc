import base64
import hashlib
import hmac
import json

import pytest
import requests

from odoo.addons.connector_base.tests.emulator import Emulator, Response
from odoo.addons.connector_trello.tests.emulator import (
    DEMO_API_KEY,
    DEMO_APP_SECRET,
    DEMO_TOKEN,
    DemoPages,
    TrelloEmulator,
    load_sample,
)

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


def test_every_answer_reports_the_token_key_and_member_quotas(trello):
    first = requests.get(trello.url("/1/members/me"), headers=AUTH, timeout=5)
    refused = requests.get(trello.url("/1/cards/" + "0" * 24), headers=AUTH, timeout=5)

    for answer in (first, refused):
        for quota, most in (("Api-Token", "100"), ("Api-Key", "300"), ("Member", "200")):
            assert answer.headers[f"X-Rate-Limit-{quota}-Max"] == most
            assert answer.headers[f"X-Rate-Limit-{quota}-Interval-Ms"] == "10000"
    assert int(refused.headers["X-Rate-Limit-Api-Token-Remaining"]) == (
        int(first.headers["X-Rate-Limit-Api-Token-Remaining"]) - 1
    )
    assert refused.status_code == 404
    assert refused.headers["Content-Type"].startswith("text/plain")
    assert refused.text == "The requested resource was not found."


def test_errors_are_plain_text_and_no_access_is_401_not_404(trello):
    private = trello.add_board("Private", visible_to_me=False)
    card = trello.add_card(trello.add_list(private, "Secret"), "Hidden")

    board_answer = requests.get(trello.url(f"/1/boards/{private}"), headers=AUTH, timeout=5)
    card_answer = requests.get(trello.url(f"/1/cards/{card}"), headers=AUTH, timeout=5)
    bad_list = requests.post(trello.url("/1/cards"), data={"idList": "nope"}, headers=AUTH, timeout=5)

    assert (board_answer.status_code, board_answer.text) == (401, "unauthorized permission requested")
    assert (card_answer.status_code, card_answer.text) == (401, "unauthorized card permission requested")
    assert (bad_list.status_code, bad_list.text) == (400, "invalid value for idList")
    for answer in (board_answer, card_answer, bad_list):
        assert answer.headers["Content-Type"].startswith("text/plain")


def test_a_new_board_has_six_nameless_labels(trello):
    board = trello.add_board("Fresh")

    labels = requests.get(trello.url(f"/1/boards/{board}/labels"), headers=AUTH, timeout=5).json()

    assert sorted(label["color"] for label in labels) == sorted(
        ["green", "yellow", "orange", "red", "purple", "blue"]
    )
    assert {label["name"] for label in labels} == {""}


def test_comment_and_rename_actions_carry_no_list_on_their_card(trello):
    printer = trello.sample["cards"]["Install printer"]
    trello.comment(printer, "hello")
    trello.update_card(printer, name="Install the printer")
    trello.move_card(printer, trello.sample["lists"]["Done"])

    comment, rename, move = trello.actions[-3:]

    assert "idList" not in comment["data"]["card"]
    assert "idList" not in rename["data"]["card"]
    assert move["data"]["card"]["idList"] == trello.sample["lists"]["Done"]
    assert move["data"]["old"]["idList"] == trello.sample["lists"]["Doing"]


def test_template_cards_say_so_and_uploads_may_have_no_file_name_nor_type(trello):
    todo = trello.sample["lists"]["To do"]
    template = trello.add_card(todo, "Onboarding template", is_template=True)
    attachment = trello.add_attachment(
        template, "Scan", content=b"%PDF-1.4", mime_type=None, file_name="scan_2024.pdf"
    )

    card = requests.get(
        trello.url(f"/1/cards/{template}"), params={"attachments": "true"}, headers=AUTH, timeout=5
    ).json()
    [stored] = card["attachments"]
    download = requests.get(
        stored["url"].replace("https://trello.com", trello.base_url), headers=AUTH, timeout=5
    )
    by_title = requests.get(
        trello.url(f"/1/cards/{template}/attachments/{attachment}/download/Scan"), headers=AUTH, timeout=5
    )

    assert card["isTemplate"] is True
    assert stored["mimeType"] is None and "fileName" not in stored
    assert stored["url"].endswith("/download/scan_2024.pdf")
    assert download.content == b"%PDF-1.4"
    assert by_title.status_code == 404
