"""Typed errors shared by every connector.

The job runner only looks at :attr:`ConnectorError.retryable` and
:attr:`ConnectorError.retry_after`, so a platform client raises one of these
and the queue decides between "try again later" and "a person must act".
"""


class ConnectorError(Exception):
    """Base class of every error a connector raises on purpose."""

    retryable = False

    def __init__(
        self,
        message,
        *,
        retry_after=None,
        status=None,
        platform_code=None,
        platform_message=None,
        platform=None,
        url=None,
        network_reason=None,
        request=None,
    ):
        """``platform``, ``url`` (the address tried, without its query), ``network_reason``
        (why it could not be reached) and ``request`` ("GET /sheets/1") let the Odoo side say the
        same in the user's language (``connector_base.models.connector_error_text``)."""
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after
        self.status = status
        self.platform_code = platform_code
        self.platform_message = platform_message
        self.platform = platform
        self.url = url
        self.network_reason = network_reason
        self.request = request

    def __str__(self):
        return self.message


class RetryableError(ConnectorError):
    """A transient failure: the job goes back to the queue with backoff."""

    retryable = True


class ConcurrencyError(RetryableError):
    """Another job held what this one needed (a record match's lock, a binding it made
    first): run again shortly, at no attempt's cost and without counting against the
    platform, since it says nothing about either."""

    RETRY_SECONDS = 10

    def __init__(self, message, *, retry_after=RETRY_SECONDS, **options):
        super().__init__(message, retry_after=retry_after, **options)


class PermanentError(ConnectorError):
    """A failure that retrying cannot fix: the job fails at once."""


class NetworkError(RetryableError):
    """Timeout, refused or dropped connection."""


class ServerError(RetryableError):
    """The platform answered 5xx."""


class RateLimitedError(RetryableError):
    """The platform answered 429 (or its own rate-limit status)."""


class AuthenticationError(PermanentError):
    """Credentials are missing, wrong, expired or revoked."""


class PermissionDeniedError(PermanentError):
    """Credentials are valid but not allowed to do this."""


class NotFoundError(PermanentError):
    """The external object does not exist (anymore)."""


class ValidationError(PermanentError):
    """The data sent or received does not fit: fix the data or the mapping."""


class ConfigurationError(PermanentError):
    """The connector itself is misconfigured (for example a missing key)."""
