import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import requests

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.connector_base.tests.common import ConnectorCase, PrivateRateLimitsMixin
from odoo.addons.connector_base.tests.emulator import hmac_sha1_base64_body_and_url

SECRET = "whsec-test-0123456789"
ROUTE = "/connector/test/webhook/{}"
MAX_BODY = 16 * 1024  # the test route's max_content_length
sign = hmac_sha1_base64_body_and_url(SECRET)


@tagged("post_install", "-at_install")
class TestWebhookIntake(PrivateRateLimitsMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Backend = cls.env["test.connector.oauth.backend"]
        cls.backend = cls.Backend.create({"name": "Webhook backend", "webhook_secret": SECRET})

    def setUp(self):
        super().setUp()

    # ------------------------------------------------------------------ helpers
    def url(self, backend=None):
        return self.base_url() + ROUTE.format((backend or self.backend).id)

    def deliver(
        self, body, *, backend=None, signer=sign, url=None, content_type="application/json", headers=None
    ):
        """POST a delivery as the platform would, signed for ``url`` (the registered one by default)."""
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        sent_headers = {"Content-Type": content_type, **(headers or {})}
        if signer:
            sent_headers["X-Test-Webhook"] = signer(raw, url or self.url(backend))
        response = self.opener.post(self.url(backend), data=raw, headers=sent_headers, timeout=10)
        self.env.invalidate_all()
        return response

    def jobs(self, backend=None):
        backend = backend or self.backend
        return self.env["connector.sync.job"].search(
            [("backend_model", "=", backend._name), ("backend_id", "=", backend.id)]
        )

    def events(self, backend=None):
        backend = backend or self.backend
        return self.env["connector.webhook.event"].search(
            [("backend_model", "=", backend._name), ("backend_id", "=", backend.id)]
        )

    def assertNothingStored(self, backend=None):
        self.assertFalse(self.jobs(backend))
        self.assertFalse(self.events(backend))

    # ------------------------------------------------------------------ accepted events
    def test_a_signed_event_becomes_one_webhook_job_without_secrets(self):
        event = {
            "id": "evt-1",
            "action": {"type": "updateCard", "token": "leaked-token-1", "card": {"id": "c1"}},
        }

        response = self.deliver(event)

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.text, "accepted")
        job = self.jobs()
        self.assertEqual(len(job), 1)
        self.assertEqual((job.kind, job.method_name, job.state), ("webhook", "_job_webhook_event", "pending"))
        self.assertEqual(job.payload, {"id": "evt-1", "action": {"type": "updateCard", "card": {"id": "c1"}}})
        self.assertNotIn("leaked-token-1", json.dumps(job.payload))
        self.assertEqual(self.events().mapped("event_id"), ["evt-1"])

    def test_a_signed_form_event_keeps_its_raw_body_for_the_signature(self):
        raw = b"type=item.update&id=evt-form-1&item_id=2781234567&external_id="

        response = self.deliver(raw, content_type="application/x-www-form-urlencoded")

        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            self.jobs().payload,
            {"type": "item.update", "id": "evt-form-1", "item_id": "2781234567", "external_id": ""},
        )

    def test_the_signature_covers_the_registered_url_not_the_one_requested(self):
        self.backend.public_base_url = "https://odoo.example.com/"
        registered = "https://odoo.example.com" + ROUTE.format(self.backend.id)
        self.assertEqual(self.backend.webhook_url, registered)

        # Signed for the address the request really hit (as behind a proxy): refused.
        self.assertEqual(self.deliver({"id": "evt-url-1"}, url=self.url()).status_code, 403)
        self.assertEqual(self.deliver({"id": "evt-url-1"}, url=registered).status_code, 200)
        self.assertEqual(len(self.jobs()), 1)

    def test_a_burst_of_deliveries_wakes_the_job_runner_once(self):
        cron = self.env.ref("connector_base.ir_cron_run_sync_jobs")
        Trigger = self.env["ir.cron.trigger"]
        Trigger.search([("cron_id", "=", cron.id)]).unlink()

        for index in range(3):
            self.assertEqual(self.deliver({"id": f"evt-burst-{index}"}).status_code, 200)

        self.assertEqual(len(self.jobs()), 3)
        self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), 1)

    # ------------------------------------------------------------------ refused deliveries
    def test_a_forged_or_missing_signature_is_refused_and_nothing_stored(self):
        forged = hmac_sha1_base64_body_and_url("not-the-secret")

        self.assertEqual(self.deliver({"id": "evt-forged"}, signer=forged).status_code, 403)
        self.assertEqual(self.deliver({"id": "evt-unsigned"}, signer=None).status_code, 403)
        self.assertNothingStored()

    def test_a_backend_without_secret_refuses_every_delivery(self):
        bare = self.Backend.create({"name": "No secret"})

        self.assertEqual(self.deliver({"id": "evt-bare"}, backend=bare).status_code, 403)
        self.assertNothingStored(bare)

    def test_a_body_over_the_cap_is_refused_from_its_content_length(self):
        event = {"id": "evt-big", "padding": "x" * MAX_BODY}

        response = self.deliver(event)

        self.assertEqual(response.status_code, 413)
        self.assertIn("close", response.headers.get("Connection", ""))
        self.assertNothingStored()

    def test_a_chunked_body_over_the_cap_is_refused_while_reading(self):
        chunks = iter([b'{"id": "evt-chunked", "padding": "', *[b"x" * 4096] * 5, b'"}'])

        response = self.opener.post(
            self.url(), data=chunks, headers={"Content-Type": "application/json"}, timeout=10
        )

        self.assertEqual(response.request.headers.get("Transfer-Encoding"), "chunked")
        self.assertEqual(response.status_code, 413)
        self.assertNothingStored()

    def test_a_malformed_body_is_refused_and_nothing_stored(self):
        for raw in (b'{"id": "truncated', b'["not", "an", "object"]', b""):
            with self.subTest(raw=raw):
                self.assertEqual(self.deliver(raw).status_code, 400)
        self.assertNothingStored()

    def test_unknown_and_archived_backends_are_not_found(self):
        archived = self.Backend.create({"name": "Archived", "webhook_secret": SECRET, "active": False})
        missing_url = self.base_url() + ROUTE.format(archived.id + 1000)

        self.assertEqual(self.deliver({"id": "evt-archived"}, backend=archived).status_code, 404)
        response = self.opener.post(missing_url, data=b"{}", headers={"Content-Type": "application/json"})
        self.assertEqual((response.status_code, response.text), (404, "not found"))
        self.assertNothingStored(archived)

    # ------------------------------------------------------------------ duplicates
    def test_a_redelivery_is_dropped_even_after_its_job_is_done_and_purged(self):
        self.assertEqual(self.deliver({"id": "evt-dup"}).text, "accepted")
        job = self.jobs()
        job._mark_done({"skipped": 1}, 0.01)
        self.assertEqual(job.state, "done")

        again = self.deliver({"id": "evt-dup"})
        self.assertEqual((again.status_code, again.text), (200, "duplicate"))
        self.assertEqual(self.jobs(), job)

        # Done jobs are purged after their retention; the event id stays longer.
        job.unlink()
        self.assertEqual(self.deliver({"id": "evt-dup"}).text, "duplicate")
        self.assertFalse(self.jobs())
        self.assertEqual(len(self.events()), 1)

    def test_event_ids_are_deduplicated_per_backend(self):
        other = self.Backend.create({"name": "Other", "webhook_secret": SECRET})

        self.assertEqual(self.deliver({"id": "evt-shared"}).text, "accepted")
        self.assertEqual(self.deliver({"id": "evt-shared"}, backend=other).text, "accepted")
        self.assertEqual(len(self.jobs()) + len(self.jobs(other)), 2)

    def test_old_event_ids_are_purged_after_the_job_retention(self):
        self.deliver({"id": "evt-old"})
        self.deliver({"id": "evt-recent"})
        retention = int(self.env["ir.config_parameter"].get_param("connector_base.job_retention_days"))
        self.env.cr.execute(
            "UPDATE connector_webhook_event SET received_at = %s WHERE event_id = 'evt-old'",
            [fields.Datetime.now() - timedelta(days=retention + 1)],
        )

        self.env["connector.webhook.event"]._cron_purge()

        self.assertEqual(self.events().mapped("event_id"), ["evt-recent"])

    # ------------------------------------------------------------------ handshakes
    def test_a_challenge_is_echoed_in_header_and_body_without_signature(self):
        response = self.deliver(
            {"challenge": "d9c2a7e0-11aa", "webhookId": 5},
            signer=None,
            headers={"X-Test-Hook-Challenge": "d9c2a7e0-11aa"},
        )

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["X-Test-Hook-Response"], "d9c2a7e0-11aa")
        self.assertEqual(response.json(), {"testHookResponse": "d9c2a7e0-11aa"})
        self.assertNothingStored()

    def test_a_verify_code_is_handed_to_the_backend(self):
        response = self.deliver(
            b"type=hook.verify&hook_id=4526731&code=c0de-77",
            signer=None,
            content_type="application/x-www-form-urlencoded",
        )

        self.assertEqual((response.status_code, response.text), (200, "verification received"))
        job = self.jobs()
        self.assertEqual(job.method_name, "_job_validate_hook")
        self.assertEqual(job.payload, {"hook_id": "4526731", "code": "c0de-77"})
        self.assertFalse(self.events())

    def test_a_head_probe_is_answered_and_stores_nothing(self):
        response = self.url_open(self.url(), head=True)

        self.assertEqual(response.status_code, 200)
        self.assertNothingStored()

    # ------------------------------------------------------------------ budgets
    def set_budgets(self, signed=None, unverified=None):
        """Settings' budgets, as (deliveries, seconds)."""
        Param = self.env["ir.config_parameter"].sudo()
        for prefix, budget in (("signed", signed), ("unverified", unverified)):
            if budget:
                Param.set_param(f"connector_base.webhook_{prefix}_budget", budget[0])
                Param.set_param(f"connector_base.webhook_{prefix}_budget_seconds", budget[1])

    def test_signed_deliveries_past_the_backend_budget_get_429_with_retry_after(self):
        other = self.Backend.create({"name": "Other", "webhook_secret": SECRET})
        self.set_budgets(signed=(3, 3600))

        statuses = [self.deliver({"id": f"evt-rate-{index}"}).status_code for index in range(3)]
        limited = self.deliver({"id": "evt-rate-3"})
        other_backend = self.deliver({"id": "evt-rate-other"}, backend=other)

        self.assertEqual(statuses, [200, 200, 200])
        self.assertEqual(limited.status_code, 429)
        self.assertGreaterEqual(int(limited.headers["Retry-After"]), 1000)
        self.assertEqual(len(self.jobs()), 3)
        self.assertEqual(other_backend.status_code, 200)

    def test_a_flood_of_refused_deliveries_leaves_the_signed_budget_whole(self):
        self.set_budgets(signed=(3, 3600), unverified=(5, 3600))
        forged = hmac_sha1_base64_body_and_url("not-the-secret")
        flood = [
            self.deliver({"id": f"evt-flood-{index}"}, signer=forged if index % 2 else None).status_code
            for index in range(12)
        ]
        malformed = self.deliver(b'{"id": "truncated')
        oversized = self.deliver({"id": "evt-big", "padding": "x" * MAX_BODY})

        signed = [self.deliver({"id": f"evt-genuine-{index}"}) for index in range(4)]

        self.assertEqual(flood, [403] * 5 + [429] * 7)
        self.assertEqual((malformed.status_code, oversized.status_code), (429, 429))
        self.assertIn("close", oversized.headers.get("Connection", ""))
        self.assertGreaterEqual(int(malformed.headers["Retry-After"]), 1)
        self.assertEqual([answer.status_code for answer in signed], [200, 200, 200, 429])
        self.assertEqual(self.events().mapped("event_id"), [f"evt-genuine-{index}" for index in (2, 1, 0)])

    def test_refused_deliveries_are_counted_per_source_address(self):
        self.set_budgets(unverified=(2, 3600))
        other_address = requests.Session()
        other_address.mount("http://", SourceAddressAdapter("127.0.0.2"))
        self.addCleanup(other_address.close)

        first = [self.deliver({"id": f"evt-a-{index}"}, signer=None).status_code for index in range(3)]
        second = [
            other_address.post(
                self.url(), data=b"{}", headers={"Content-Type": "application/json"}, timeout=10
            )
            for _index in range(3)
        ]

        self.assertEqual(first, [403, 403, 429])
        self.assertEqual([answer.status_code for answer in second], [403, 403, 429])
        self.assertNothingStored()

    def test_a_handshake_over_the_address_budget_stores_nothing(self):
        self.set_budgets(unverified=(1, 3600))
        verify = b"type=hook.verify&hook_id=4526731&code=c0de-77"
        form = "application/x-www-form-urlencoded"

        first = self.deliver(verify, signer=None, content_type=form)
        second = self.deliver(verify, signer=None, content_type=form)

        self.assertEqual((first.status_code, second.status_code), (200, 429))
        self.assertEqual(len(self.jobs()), 1)

    def test_a_burst_of_a_thousand_deliveries_is_taken_under_the_default_budget(self):
        """A platform's burst (a Trello bulk move: one delivery per card) from 8 connections,
        redeliveries included, under the budget Settings ship with."""
        Param = self.env["ir.config_parameter"].sudo()
        self.assertEqual(
            self.Backend._webhook_signed_budget(),
            (
                int(Param.get_param("connector_base.webhook_signed_budget")),
                int(Param.get_param("connector_base.webhook_signed_budget_seconds")),
            ),
        )
        url = self.url()
        # 900 distinct events, 100 of them delivered twice.
        event_ids = [f"evt-bulk-{index}" for index in range(900)] + [
            f"evt-bulk-{index}" for index in range(0, 900, 9)
        ]
        bodies = [
            json.dumps({"id": event_id, "action": {"type": "updateCard"}}).encode() for event_id in event_ids
        ]
        shares = [bodies[index::8] for index in range(8)]

        def send(share):
            with requests.Session() as session:
                return [
                    session.post(
                        url,
                        data=raw,
                        headers={"Content-Type": "application/json", "X-Test-Webhook": sign(raw, url)},
                        timeout=60,
                    ).status_code
                    for raw in share
                ]

        with ThreadPoolExecutor(8) as pool:
            statuses = Counter(status for share in pool.map(send, shares) for status in share)

        self.env.invalidate_all()
        self.assertEqual(statuses, Counter({200: 1000}))
        self.assertEqual(len(self.events()), 900)
        self.assertEqual(len(self.jobs()), 900)
        self.assertEqual(len(set(self.events().mapped("event_id"))), 900)


class SourceAddressAdapter(requests.adapters.HTTPAdapter):
    """Connects from another loopback address, as a second sender would."""

    def __init__(self, address):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        return super().init_poolmanager(*args, **kwargs)


class TestWebhookBackendLookup(ConnectorCase):
    def setUp(self):
        super().setUp()
        self.Backend = self.env["test.connector.oauth.backend"]
        self.signed = self.Backend.create({"name": "Signed", "webhook_secret": "whsec-one"})
        self.env.flush_all()
        self.env.invalidate_all()

    def find(self, backend_id):
        # Each delivery has a fresh environment: only the registry cache outlives it.
        self.env.invalidate_all()
        self.env["connector.credential"]._forget_prefetched()
        return self.Backend._webhook_find_backend(backend_id)

    def test_the_backend_and_its_signing_secret_are_read_in_one_query_then_kept(self):
        with self.assertQueryCount(1):
            found = self.find(self.signed.id)
            self.assertEqual(found, self.signed)
            self.assertEqual((found.name, found.company_id), ("Signed", self.signed.company_id))
            self.assertEqual(found._connector_secret("webhook_secret"), "whsec-one")
        with self.assertQueryCount(0):
            again = self.find(self.signed.id)
            self.assertEqual((again.name, again._connector_secret("webhook_secret")), ("Signed", "whsec-one"))

    def test_a_new_signing_secret_or_name_is_read_at_the_next_delivery(self):
        self.find(self.signed.id)
        self.signed.webhook_secret = "whsec-two"
        self.assertEqual(self.find(self.signed.id)._connector_secret("webhook_secret"), "whsec-two")
        self.signed.name = "Renamed"
        self.assertEqual(self.find(self.signed.id).name, "Renamed")
        self.signed.webhook_secret = False
        self.assertIsNone(self.find(self.signed.id)._connector_secret("webhook_secret"))

    def test_an_archived_deleted_or_new_backend_is_seen_at_the_next_delivery(self):
        self.find(self.signed.id)
        self.signed.action_archive()
        self.assertFalse(self.find(self.signed.id))
        self.signed.action_unarchive()
        self.assertEqual(self.find(self.signed.id), self.signed)
        unknown_id = self.signed.id + 1
        self.assertFalse(self.find(unknown_id))
        created = self.Backend.create({"name": "Created"})
        self.assertEqual(created.id, unknown_id)
        self.assertEqual(self.find(unknown_id), created)
        created.unlink()
        self.assertFalse(self.find(unknown_id))
