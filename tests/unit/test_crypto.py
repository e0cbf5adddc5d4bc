import pytest
from cryptography.fernet import Fernet

from odoo.addons.connector_base.lib import crypto
from odoo.addons.connector_base.lib.errors import ConfigurationError


def test_encrypt_then_decrypt_returns_the_plaintext_and_hides_it():
    ring = crypto.KeyRing([crypto.generate_key()])
    token = ring.encrypt("tok-0123456789")
    assert "tok-0123456789" not in token
    assert ring.decrypt(token) == "tok-0123456789"


def test_old_keys_still_decrypt_and_rotation_moves_to_the_newest():
    old, new = crypto.generate_key(), crypto.generate_key()
    legacy = crypto.KeyRing([old]).encrypt("secret")
    ring = crypto.KeyRing([new, old])
    assert ring.decrypt(legacy) == "secret"
    rotated = ring.rotate(legacy)
    assert crypto.KeyRing([new]).decrypt(rotated) == "secret"
    with pytest.raises(ConfigurationError):
        crypto.KeyRing([old]).decrypt(rotated)


def test_no_key_is_a_configuration_error_naming_the_setting():
    with pytest.raises(ConfigurationError, match=crypto.KEYS_OPTION):
        crypto.KeyRing([])


def test_an_invalid_key_is_named_by_position_never_echoed():
    with pytest.raises(ConfigurationError) as caught:
        crypto.KeyRing([crypto.generate_key(), "short-and-wrong"])
    assert "#2" in str(caught.value)
    assert "short-and-wrong" not in str(caught.value)


def test_a_wrong_key_cannot_decrypt_and_says_what_to_do():
    token = crypto.KeyRing([crypto.generate_key()]).encrypt("secret")
    with pytest.raises(ConfigurationError, match="keep the old key"):
        crypto.KeyRing([Fernet.generate_key()]).decrypt(token)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(None, []), ("", []), (" a , ,b ", ["a", "b"]), ("a", ["a"])],
)
def test_parse_keys_splits_on_commas_and_drops_blanks(raw, expected):
    assert crypto.parse_keys(raw) == expected
