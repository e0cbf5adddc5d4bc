"""Fernet encryption of credentials with a key ring that supports rotation."""

import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from .errors import ConfigurationError

KEYS_OPTION = "connector_encryption_keys"
KEYS_ENV = "ODOO_CONNECTOR_ENCRYPTION_KEYS"

_WHERE = (
    f"set '{KEYS_OPTION}' in the [options] section of the Odoo configuration file "
    f"(or the {KEYS_ENV} environment variable) to one or more Fernet keys, newest first, "
    "separated by commas"
)


def generate_key():
    return Fernet.generate_key().decode()


def parse_keys(raw):
    """Split a comma-separated key list, dropping blanks."""
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


class KeyRing:
    """Encrypts with the first key, decrypts with any of them."""

    def __init__(self, keys):
        keys = list(keys)
        if not keys:
            raise ConfigurationError(f"No connector encryption key is configured: {_WHERE}.")
        self._keys = tuple(key.encode() if isinstance(key, str) else key for key in keys)
        fernets = []
        for position, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key.encode() if isinstance(key, str) else key))
            except (ValueError, TypeError):
                # Never echo the key itself: only its position in the list.
                raise ConfigurationError(
                    f"Connector encryption key #{position} is not a valid Fernet key: {_WHERE}."
                ) from None
        self._ring = MultiFernet(fernets)

    def encrypt(self, plaintext):
        return self._ring.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext):
        try:
            return _decrypt(self._keys, ciphertext)
        except InvalidToken:
            raise ConfigurationError(
                "A stored connector secret cannot be decrypted with the configured keys "
                f"(was the key changed without keeping the old one?): {_WHERE}; "
                "keep the old key after the new one until secrets are re-encrypted."
            ) from None

    def rotate(self, ciphertext):
        """Re-encrypt ``ciphertext`` with the newest key."""
        try:
            return self._ring.rotate(ciphertext.encode()).decode()
        except InvalidToken:
            raise ConfigurationError(
                f"A stored connector secret cannot be decrypted with the configured keys: {_WHERE}."
            ) from None


@functools.lru_cache(maxsize=256)
def _decrypt(keys, ciphertext):
    # Memoized: webhook intake decrypts the same signing secret on every delivery.
    # A changed secret or key list is a new entry; the process holds the keys anyway.
    return MultiFernet([Fernet(key) for key in keys]).decrypt(ciphertext.encode()).decode()
