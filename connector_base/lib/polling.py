"""What a poll of one container (a board, a sheet) found, as a platform hook returns it.

The base's poll job (``connector.backend.mixin._job_poll``) stores ``cursor``
for the next poll and feeds each event through the webhook intake's
claim-and-enqueue, so a change both polled and delivered is applied once.
"""

from typing import NamedTuple


class PolledEvent(NamedTuple):
    """One change: ``event_id`` as a webhook delivery of it would carry (Trello's action
    id), so the two are claimed as one; ``payload`` as the webhook job expects it.

    ``read``: what the poll learnt reading it, for applying it in the same transaction
    (Sprout's lookup of the page's bindings, and the name matches its pages share), never
    stored: a job queued for the event has only its payload."""

    event_id: str
    payload: dict
    read: dict | None = None


class Polled(NamedTuple):
    """The container's new ``cursor`` (None: unchanged) and the ``events`` after the old one.

    ``events`` may be an iterator that reads the platform as the poll takes each event (a
    page applied while the next one travels); ``cursor`` is then a function, called once
    the events are all taken, answering the cursor they lead to."""

    cursor: str | None
    events: tuple = ()
