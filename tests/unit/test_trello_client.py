import pytest

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.tests.emulator import Emulator, Response
from odoo.addons.connector_trello.lib.client import API_URL, TrelloClient, authorize_url
from odoo.addons.connector_trello.tests.emulator import DEMO_API_KEY, DEMO_TOKEN, TrelloEmulator, load_sample


@pytest.fixture
def trello():
    emulator = TrelloEmulator()
    emulator.sample = load_sample(emulator)
    with emulator:
        yield emulator


@pytest.fixture
def client(trello, tmp_path):
    with TrelloClient(
        DEMO_API_KEY, DEMO_TOKEN, api_url=trello.url("/1"), rate_limit_dir=str(tmp_path), backoff_factor=0.01
    ) as client:
        yield client


@pytest.fixture
def receiver():
    """Stands in for Odoo's webhook route: answers Trello's HEAD check and records POSTs."""
    emulator = Emulator()
    emulator.received = []
    emulator.router.add("HEAD", "/trello/webhook", lambda request: Response(200))
    emulator.router.add(
        "POST", "/trello/webhook", lambda request: emulator.received.append(request) or Response(200)
    )
    with emulator:
        yield emulator


def test_credentials_travel_in_the_authorization_header_never_in_the_url(trello, client):
    me = client.me()

    assert me["username"] == "ana"
    sent = trello.requests[-1]
    assert DEMO_TOKEN not in sent.path and "token" not in sent.query and "key" not in sent.query
    assert sent.headers["Authorization"] == (
        f'OAuth oauth_consumer_key="{DEMO_API_KEY}", oauth_token="{DEMO_TOKEN}"'
    )


def test_a_revoked_token_raises_authentication_error_that_names_no_secret(trello, client):
    trello.revoke_token(DEMO_TOKEN)

    with pytest.raises(errors.AuthenticationError) as raised:
        client.token_webhooks()  # the token is in this path: the message must not show it

    assert raised.value.status == 401
    assert "invalid token" in str(raised.value)
    assert DEMO_TOKEN not in str(raised.value)


def test_board_brings_lists_labels_custom_fields_and_the_newest_action_in_one_call(trello, client):
    board = client.board(trello.sample["board"])

    assert trello.count() == 1
    assert [item["name"] for item in board["lists"]] == ["To do", "Doing", "Done", "Old requests"]
    assert {label["name"] for label in board["labels"]} == {"Hardware", "Urgent", ""}
    assert {field["name"] for field in board["customFields"]} == {"Estimate", "Client"}
    assert board["actions"][0]["id"] == trello.actions[-1]["id"]


def test_card_pages_walk_back_through_the_board_with_before_and_bring_the_details(trello, client):
    pages = list(client.iter_card_pages(trello.sample["board"], page_size=2))

    cards = [card for page in pages for card in page]
    assert [len(page) for page in pages] == [2, 2]
    assert len({card["id"] for card in cards}) == 4, "archived cards included, none twice"
    assert trello.count("/1/boards/{board_id}/cards") == 3, "the short last page ends the walk"
    printer = next(card for card in cards if card["name"] == "Install printer")
    assert [item["name"] for item in printer["checklists"][0]["checkItems"]] == [
        "Unpack",
        "Install driver",
        "Print test page",
    ]
    assert len(printer["attachments"]) == 3
    assert len(printer["customFieldItems"]) == 2


def test_actions_since_the_cursor_come_oldest_first_and_cost_one_call_when_nothing_changed(trello, client):
    cursor = client.board(trello.sample["board"])["actions"][0]["id"]
    trello.reset()
    assert client.actions_since(trello.sample["board"], cursor) == []
    assert trello.count() == 1

    card = trello.sample["cards"]["Order laptops"]
    trello.move_card(card, trello.sample["lists"]["Doing"])
    trello.comment(card, "On it")
    actions = client.actions_since(trello.sample["board"], cursor)

    assert [action["type"] for action in actions] == ["updateCard", "commentCard"]


def test_ensure_webhook_creates_it_once_after_the_head_check_then_reuses_it(trello, client, receiver):
    callback = receiver.url("/trello/webhook")
    board = trello.sample["board"]

    first, created = client.ensure_webhook(board, callback, "odoo")
    again, created_again = client.ensure_webhook(board, callback, "odoo")

    assert (created, created_again) == (True, False)
    assert first["id"] == again["id"]
    assert receiver.count("/trello/webhook", "HEAD") == 1
    assert len(trello.webhooks) == 1


def test_a_callback_that_fails_the_head_check_gets_no_webhook(trello, client, receiver):
    with pytest.raises(errors.ValidationError) as raised:
        client.create_webhook(trello.sample["board"], receiver.url("/elsewhere"), "odoo")

    assert "did not return 200" in str(raised.value)
    assert trello.webhooks == {}


def test_a_429_is_waited_out_in_the_call_when_the_window_is_short(trello, client):
    trello.faults.add(
        429,
        body={"error": "API_TOKEN_LIMIT_EXCEEDED", "message": "Rate limit exceeded"},
        headers={"X-Rate-Limit-Api-Token-Interval-Ms": "50"},
    )

    assert client.me()["username"] == "ana"
    assert trello.count("/1/members/me") == 2


def test_a_429_beyond_the_in_call_wait_goes_back_to_the_queue_with_the_window_as_delay(trello, client):
    trello.fail_next(429)

    with pytest.raises(errors.RateLimitedError) as raised:
        client.me()

    assert raised.value.retry_after == 10.0
    assert raised.value.platform_code == "API_TOKEN_LIMIT_EXCEEDED"


def test_a_5xx_on_a_read_is_retried_within_the_call(trello, client):
    trello.fail_next(503)

    assert client.me()["username"] == "ana"
    assert client.api_calls == 2


def test_update_card_sends_form_fields_and_returns_the_card_as_trello_holds_it(trello, client):
    card = trello.sample["cards"]["Order laptops"]

    answer = client.update_card(card, {"name": "Order 3 laptops", "idList": trello.sample["lists"]["Done"]})

    assert answer["name"] == "Order 3 laptops"
    assert trello.cards[card]["idList"] == trello.sample["lists"]["Done"]
    assert trello.requests[-1].content_type == "application/x-www-form-urlencoded"


def test_download_attachment_returns_the_file_bytes(trello, client):
    card = trello.cards[trello.sample["cards"]["Install printer"]]
    invoice = next(item for item in card["attachments"] if item["name"] == "invoice.txt")

    assert client.download_attachment(card["id"], invoice["id"], "invoice.txt") == b"Printer invoice #42\n"


def test_both_trello_quotas_apply_and_the_key_quota_is_shared_by_every_token(tmp_path):
    one = TrelloClient("k" * 32, "a" * 64, rate_limit_dir=str(tmp_path))
    other = TrelloClient("k" * 32, "b" * 64, rate_limit_dir=str(tmp_path))

    token_bucket, key_bucket = one.scoped_rate_limiters
    assert (token_bucket.capacity, token_bucket.period) == (100, 10)
    assert (key_bucket.capacity, key_bucket.period) == (300, 10)
    assert other.scoped_rate_limiters[1] is key_bucket
    assert other.scoped_rate_limiters[0] is not token_bucket
    assert "a" * 64 not in token_bucket.name


def test_authorize_url_asks_trello_for_a_never_expiring_token_returned_in_the_fragment():
    url = authorize_url("key123", "Odoo", "https://odoo.example.com/trello/authorized/7")

    assert url.startswith("https://trello.com/1/authorize?key=key123&name=Odoo&scope=read%2Cwrite%2Caccount")
    assert "expiration=never" in url and "callback_method=fragment" in url and "response_type=token" in url
    assert authorize_url("k", "Odoo", "x", api_url="http://127.0.0.1:8391/1").startswith(
        "http://127.0.0.1:8391/1/authorize?"
    )
    assert authorize_url("k", "Odoo", "x", api_url=API_URL).startswith("https://trello.com/1/authorize?")


def test_a_card_the_token_may_not_see_is_refused_alone_not_as_a_bad_token(trello, client):
    private = trello.add_board("Private", visible_to_me=False)  # the token's member is not on it
    card = trello.add_card(trello.add_list(private, "Secret"), "Hidden card")

    with pytest.raises(errors.PermissionDeniedError) as raised:
        client.card(card)
    assert not isinstance(raised.value, errors.AuthenticationError)
    assert raised.value.status == 401
    assert raised.value.platform_message == "unauthorized card permission requested"
    with pytest.raises(errors.PermissionDeniedError):
        client.board(private)


@pytest.mark.parametrize("text", ["invalid token", "expired token", "invalid key"])
def test_only_the_credential_refusals_raise_authentication_error(trello, client, text):
    trello.faults.add(401, body=text, route="/1/members/me")

    with pytest.raises(errors.AuthenticationError):
        client.me()


def test_a_copied_card_is_read_with_the_comments_copied_with_it(trello, client):
    printer = trello.sample["cards"]["Install printer"]
    copy_id = trello.copy_card(printer, trello.sample["lists"]["To do"], name="Install printer (2)")

    card = client.card(copy_id)

    assert [action["type"] for action in card["actions"]] == ["copyCommentCard", "copyCommentCard"]
    assert {action["data"]["text"] for action in card["actions"]} == {
        "Printer arrived",
        "Driver needs **admin** rights",
    }
