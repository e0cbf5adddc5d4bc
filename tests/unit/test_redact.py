import pytest

from odoo.addons.connector_base.lib.redact import MASK, is_secret_name, redact


def test_known_secret_values_are_masked_wherever_they_appear():
    text = "failed for abcd1234efgh in /boards?x=abcd1234efgh"
    assert redact(text, ["abcd1234efgh"]) == f"failed for {MASK} in /boards?x={MASK}"


@pytest.mark.parametrize(
    "text",
    [
        "GET /1/members/me?key=k123&token=t456",
        '{"access_token": "t456", "refresh_token": "r789"}',
        "client_secret=s000&grant_type=refresh_token",
        "Authorization: Bearer t456",
        "'Authorization': 'OAuth oauth_consumer_key=\"k123\", oauth_token=\"t456\"'",
        "password=hunter2",
    ],
)
def test_secret_looking_parameters_are_masked_without_knowing_them(text):
    cleaned = redact(text)
    for secret in ("k123", "t456", "r789", "s000", "hunter2"):
        assert secret not in cleaned


def test_ordinary_text_is_left_alone():
    text = "row 12 of sheet 345: column Status has value 'Done'; identity_key=row:12"
    assert redact(text) == text


def test_empty_values_pass_through():
    assert redact("") == ""
    assert redact(None) is None


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("api_token", True),
        ("clientSecret", True),
        ("Authorization", True),
        ("card_id", False),
        ("name", False),
    ],
)
def test_is_secret_name(name, secret):
    assert is_secret_name(name) is secret
