import json
import tempfile
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.connector_base.controllers.webhook import WebhookIntake

from emulators.framework import hmac_sha1_base64_body_and_url

from .common import ConnectorCase

SECRET = "whsec-test-0123456789"
ROUTE = "/connector/test/webhook/{}"
MAX_BODY = 16 * 1024  # the test route's max_content_length
sign = hmac_sha1_base64_body_and_url(SECRET)


@tagged("post_install", "-at_install")
class TestWebhookIntake(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Backend = cls.env["test.connector.oauth.backend"]
        cls.backend = cls.Backend.create({"name": "Webhook backend", "webhook_secret": SECRET})

    def setUp(self):
        super().setUp()
        # Private rate-limit buckets: a previous run on a database with the same ids must not count.
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        patcher = patch.object(WebhookIntake, "rate_limit_directory", directory.name)
        patcher.start()
        self.addCleanup(patcher.stop)

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
        self.assertEqual(response.headers.get("Connection"), "close")
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

    # ------------------------------------------------------------------ rate limit
    def test_deliveries_past_the_backend_budget_get_429_with_retry_after(self):
        other = self.Backend.create({"name": "Other", "webhook_secret": SECRET})

        with patch.object(type(self.backend), "_webhook_rate_limit", (3, 3600)):
            statuses = [self.deliver({"id": f"evt-rate-{index}"}).status_code for index in range(3)]
            limited = self.deliver({"id": "evt-rate-3"})
            other_backend = self.deliver({"id": "evt-rate-other"}, backend=other)

        self.assertEqual(statuses, [200, 200, 200])
        self.assertEqual(limited.status_code, 429)
        self.assertGreaterEqual(int(limited.headers["Retry-After"]), 1)
        self.assertEqual(len(self.jobs()), 3)
        self.assertEqual(other_backend.status_code, 200)


class TestWebhookBackendLookup(ConnectorCase):
    def test_the_backend_and_its_signing_secret_are_read_in_one_query(self):
        Backend = self.env["test.connector.oauth.backend"]
        backend = Backend.create({"name": "Signed", "webhook_secret": "whsec-one"})
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(1):
            found = Backend._webhook_find_backend(backend.id)
            self.assertEqual(found, backend)
            self.assertEqual((found.name, found.company_id), ("Signed", backend.company_id))
            self.assertEqual(found._connector_secret("webhook_secret"), "whsec-one")
        backend.webhook_secret = "whsec-two"
        self.assertEqual(found._connector_secret("webhook_secret"), "whsec-two")
        backend.webhook_secret = False
        self.assertIsNone(found._connector_secret("webhook_secret"))
