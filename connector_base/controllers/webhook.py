"""Webhook intake shared by the platform controllers.

A platform controller is two lines::

    class TrelloController(http.Controller):
        @webhook_route("/connector/trello/webhook/<int:backend_id>")
        def trello_webhook(self, backend_id, **params):
            return WebhookIntake("trello.backend", backend_id).handle()

and the backend model sets the ``_webhook_*`` attributes and hooks of
``connector.backend.mixin`` (see ``models/connector_backend_webhook.py``).

Each delivery goes through, in this order: unknown or archived backend → 404;
HEAD probe → 200; body over the route's ``max_content_length`` → 413; not a JSON
object or form → 400; verification handshake → its answer; bad signature →
403; over the backend's budget of signed deliveries → 429 with Retry-After;
event id seen before → 200 and nothing stored; otherwise the event becomes one
``connector.sync.job`` (kind ``webhook``) and the answer is 200 at once. Only
the 200 paths write, and only the last one runs platform code later, in a job.

Two budgets, so that a flood of forged requests cannot shut the platform out:
signed deliveries spend the backend's; every other answer (404, probe, 413,
400, handshake, 403) spends the budget of its source address and becomes 429
with Retry-After once that address has spent it.
"""

import json
import logging

from odoo import http
from odoo.http import request

from ..lib import webhook
from ..lib.rate_limit import get_bucket

_logger = logging.getLogger(__name__)


def webhook_route(route, *, max_content_length=webhook.DEFAULT_MAX_BODY_BYTES, **options):
    """``http.route`` for a webhook endpoint: public, no CSRF token, no session, POST and HEAD.

    ``connector_webhook`` makes ``ir.http`` buffer the raw body, capped at
    ``max_content_length`` bytes, before Odoo parses anything.
    """
    return http.route(
        route,
        type="http",
        auth="public",
        csrf=False,
        methods=["POST", "HEAD"],
        save_session=False,
        max_content_length=max_content_length,
        connector_webhook=True,
        **options,
    )


class WebhookIntake:
    """Answer one delivery to the webhook route of one backend."""

    # Rate-limit buckets live in lib.rate_limit's shared directory; tests use their own.
    rate_limit_directory = None

    def __init__(self, backend_model, backend_id):
        self.backend_model = backend_model
        self.backend_id = backend_id

    def handle(self):
        return self._response(self._answer())

    def _answer(self):
        backend = self._find_backend()
        if not backend:
            return self._unverified(webhook.NOT_FOUND)
        httprequest = request.httprequest
        if httprequest.method == "HEAD":
            # Trello checks the callback URL with a HEAD before creating a webhook.
            return self._unverified(webhook.PROBE_OK)
        body = httprequest._HTTPRequest__environ.get(webhook.ENVIRON_KEY)
        if body is None:
            raise RuntimeError(f"{httprequest.path}: declare webhook routes with webhook_route()")
        if body.too_large:
            return self._unverified(webhook.TOO_LARGE)
        try:
            payload = webhook.parse_body(body.raw, httprequest.headers.get("Content-Type"))
            handshake = backend._webhook_handshake(payload, httprequest.headers)
        except webhook.MalformedBody:
            return self._unverified(webhook.MALFORMED)
        if handshake is not None:
            return self._unverified(handshake)
        if not backend._webhook_verify_signature(body.raw, httprequest.headers, backend.webhook_url):
            answer = self._unverified(webhook.BAD_SIGNATURE)
            if answer is webhook.BAD_SIGNATURE:  # not logged once the address is over budget
                _logger.warning(
                    "Webhook delivery for %s,%s refused: invalid signature", backend._name, backend.id
                )
            return answer
        retry_after = self._take(
            f"webhook:{request.env.cr.dbname}:{backend._name}:{backend.id}", backend._webhook_signed_budget()
        )
        if retry_after is not None:
            return webhook.rate_limited(retry_after)
        if not backend._webhook_accept(payload, backend._webhook_event_id(payload)):
            return webhook.DUPLICATE
        return webhook.ACCEPTED

    def _find_backend(self):
        return request.env[self.backend_model].sudo()._webhook_find_backend(self.backend_id)

    def _unverified(self, answer):
        """``answer`` to a delivery that proved nothing, or 429 once its source address has
        spent its budget (then nothing it stored, a handshake's job for instance, is kept)."""
        slot = webhook.source_slot(request.httprequest.remote_addr)
        budget = request.env[self.backend_model].sudo()._webhook_unverified_budget()
        retry_after = self._take(f"webhook-unverified:{request.env.cr.dbname}:{slot}", budget)
        if retry_after is None:
            return answer
        request.env.cr.rollback()
        return webhook.rate_limited(retry_after, answer.headers)

    def _take(self, bucket_name, budget):
        """None when ``bucket_name`` had a delivery left in ``budget`` (it is spent), else
        the seconds until it has one."""
        capacity, period = budget
        bucket = get_bucket(bucket_name, capacity, period, directory=self.rate_limit_directory, max_wait=0)
        return bucket.try_acquire()

    @staticmethod
    def _response(answer):
        if isinstance(answer.body, dict):
            data, content_type = json.dumps(answer.body), "application/json"
        else:
            data, content_type = answer.body, "text/plain; charset=utf-8"
        headers = [("Content-Type", content_type), *answer.headers.items()]
        return request.make_response(data, headers=headers, status=answer.status)
