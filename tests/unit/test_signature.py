import base64
import hashlib
import hmac

import pytest

from odoo.addons.connector_base.lib import signature
from odoo.addons.connector_base.lib.signature import SignatureScheme
from odoo.addons.connector_base.tests.emulator import hmac_sha1_base64_body_and_url, hmac_sha256_hex

SECRET = "shared-secret-42"
BODY = b'{"nonce": "4b2e", "events": [{"objectType": "row", "id": 57}]}'
URL = "https://odoo.example.com/connector/trello/webhook/3"

SMARTSHEET_LIKE = SignatureScheme(header="Smartsheet-Hmac-SHA256")
TRELLO_LIKE = SignatureScheme(
    header="X-Trello-Webhook", algorithm="sha1", encoding="base64", include_url=True
)


def test_hex_and_base64_digests_match_the_standard_library():
    raw = hmac.new(SECRET.encode(), BODY, hashlib.sha256).digest()

    assert signature.hmac_hex(SECRET, BODY) == raw.hex()
    assert signature.hmac_base64(SECRET, BODY) == base64.b64encode(raw).decode()
    assert (
        signature.hmac_hex(SECRET, BODY, "sha1") == hmac.new(SECRET.encode(), BODY, hashlib.sha1).hexdigest()
    )


def test_text_is_signed_as_utf8():
    assert signature.hmac_hex("clé", "événement") == signature.hmac_hex("clé".encode(), "événement".encode())


def test_body_and_url_appends_the_url_bytes():
    assert signature.body_and_url(b"{}", "https://x/é") == b"{}https://x/" + "é".encode()


def test_an_unknown_algorithm_or_encoding_is_refused():
    with pytest.raises(ValueError, match="md5"):
        signature.hmac_digest(SECRET, BODY, "md5")
    with pytest.raises(ValueError, match="md5"):
        SignatureScheme(header="X", algorithm="md5")
    with pytest.raises(ValueError, match="base32"):
        SignatureScheme(header="X", encoding="base32")


def test_smartsheet_like_scheme_agrees_with_the_emulator_signer():
    sent = hmac_sha256_hex(SECRET)(BODY, URL)

    assert SMARTSHEET_LIKE.sign(SECRET, BODY) == sent
    assert SMARTSHEET_LIKE.verify(SECRET, BODY, sent)


def test_trello_like_scheme_signs_body_then_callback_url():
    sent = hmac_sha1_base64_body_and_url(SECRET)(BODY, URL)

    assert TRELLO_LIKE.sign(SECRET, BODY, URL) == sent
    assert TRELLO_LIKE.verify(SECRET, BODY, sent, url=URL)
    assert not TRELLO_LIKE.verify(SECRET, BODY, sent, url=URL + "?x=1")


def test_a_url_scheme_without_url_is_a_programming_error():
    with pytest.raises(ValueError, match="url"):
        TRELLO_LIKE.sign(SECRET, BODY)


def test_hex_signatures_are_compared_whatever_their_case_and_surrounding_spaces():
    sent = SMARTSHEET_LIKE.sign(SECRET, BODY)

    assert SMARTSHEET_LIKE.verify(SECRET, BODY, f" {sent.upper()}\n")


def test_base64_signatures_are_case_sensitive():
    sent = TRELLO_LIKE.sign(SECRET, BODY, URL)
    flipped = sent.swapcase()

    assert flipped != sent
    assert not TRELLO_LIKE.verify(SECRET, BODY, flipped, url=URL)


@pytest.mark.parametrize(
    ("secret", "body", "received"),
    [
        ("other-secret", BODY, None),  # wrong key
        (SECRET, BODY + b" ", None),  # body changed after signing
        (SECRET, BODY, ""),  # header present but empty
        (SECRET, BODY, "not-a-signature"),
        ("", BODY, None),  # no secret configured: nothing can be verified
    ],
)
def test_forged_or_unverifiable_deliveries_are_refused(secret, body, received):
    genuine = SMARTSHEET_LIKE.sign(SECRET, BODY)

    assert not SMARTSHEET_LIKE.verify(secret, body, genuine if received is None else received)


def test_a_missing_header_is_refused():
    assert not SMARTSHEET_LIKE.verify(SECRET, BODY, None)


def test_comparison_goes_through_compare_digest(monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(signature.hmac, "compare_digest", spy)

    assert SMARTSHEET_LIKE.verify(SECRET, BODY, SMARTSHEET_LIKE.sign(SECRET, BODY))
    assert len(calls) == 1


def test_constant_time_equal_never_matches_missing_values():
    assert signature.constant_time_equal("abc", "abc")
    assert signature.constant_time_equal(b"abc", "abc")
    assert not signature.constant_time_equal("abc", "abd")
    assert not signature.constant_time_equal("", "")
    assert not signature.constant_time_equal(None, None)
