"""What a connector error says to a person, in their language.

``lib`` raises typed errors with English messages and the facts behind them
(platform, address, status, the platform's own message); here those facts
become a translated sentence that says what happened and what to do.
"""

from ..lib.errors import (
    AuthenticationError,
    ConnectorError,
    NetworkError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
)


def connector_error_text(env, error):
    """The sentence for ``error``; its own message when it carries no facts to translate."""
    if not isinstance(error, ConnectorError) or not getattr(error, "platform", None):
        return str(error)
    facts = {"platform": error.platform, "url": error.url or "", "request": error.request or ""}
    if isinstance(error, NetworkError) and error.network_reason:
        return env._(
            "Cannot reach %(platform)s at %(url)s (%(reason)s): check the API URL and the network.",
            reason=error.network_reason,
            **facts,
        )
    if error.status is None:
        return str(error)
    answer = f"HTTP {error.status}"
    if error.platform_code is not None:
        answer += f" [{error.platform_code}]"
    if error.platform_message:
        answer += f": {error.platform_message}"
    facts["answer"] = answer
    if isinstance(error, AuthenticationError):
        return env._(
            "%(platform)s refused the credentials (%(answer)s): check them, or connect the backend again.",
            **facts,
        )
    if isinstance(error, PermissionDeniedError):
        return env._(
            "%(platform)s refused %(request)s (%(answer)s): the connected account needs access to "
            "this object on %(platform)s.",
            **facts,
        )
    if isinstance(error, NotFoundError):
        return env._(
            "%(platform)s has no object at %(request)s (%(answer)s): it was deleted, or the connected "
            "account cannot see it.",
            **facts,
        )
    if isinstance(error, RateLimitedError):
        return env._(
            "%(platform)s asks to slow down (%(answer)s): the job waits and tries again by itself.",
            **facts,
        )
    if isinstance(error, ServerError):
        return env._(
            "%(platform)s failed to answer %(request)s (%(answer)s): a problem on its side; the job "
            "tries again by itself.",
            **facts,
        )
    return env._(
        "%(platform)s refused %(request)s (%(answer)s): check the values sent and the field mapping.",
        **facts,
    )
