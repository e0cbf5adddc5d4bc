import json

import requests

from odoo.tests import tagged

from odoo.addons.connector_smartsheet.tests.emulator import SHEET, WEBHOOKS

from .common import SmartsheetCase


@tagged("post_install", "-at_install")
class TestWebhooks(SmartsheetCase):
    def linked(self):
        sheet_id, rows = self.make_task_sheet()
        sheet = self.link(sheet_id)
        self.run_jobs()
        self.emulator.reset()
        return sheet_id, rows, sheet

    def webhook_jobs(self):
        return self.env["connector.sync.job"].search(
            [
                ("backend_id", "=", self.backend.id),
                ("backend_model", "=", "smartsheet.backend"),
                ("kind", "=", "webhook"),
            ]
        )

    def test_linking_creates_and_enables_a_verified_webhook_with_an_encrypted_secret(self):
        sheet_id, _rows = self.make_task_sheet()

        sheet = self.link(sheet_id)

        [remote] = self.emulator.webhooks.values()
        self.assertEqual(
            remote["callbackUrl"], f"{self.base_url()}/connector/smartsheet/webhook/{self.backend.id}"
        )
        self.assertEqual((remote["scopeObjectId"], remote["status"]), (sheet_id, "ENABLED"))
        self.assertEqual(sheet.webhook_status, "ENABLED")
        self.assertEqual(sheet.webhook_id.webhook_id, str(remote["id"]))
        self.assertEqual(sheet.webhook_id._shared_secret(), remote["sharedSecret"])
        stored = self.env["connector.credential"].search(
            [("res_model", "=", "smartsheet.webhook"), ("res_id", "=", sheet.webhook_id.id)]
        )
        self.assertNotIn(remote["sharedSecret"], stored.ciphertext)

    def test_linking_reuses_an_identical_existing_webhook(self):
        sheet_id, _rows = self.make_task_sheet()
        sheet = self.link(sheet_id)
        sheet.action_unlink_sheet()
        self.assertFalse(self.emulator.webhooks, "unlinking deletes the webhook")
        self.env.flush_all()
        hook_id = self.emulator._next_id()
        self.emulator.webhooks[hook_id] = {
            "id": hook_id,
            "name": "made earlier",
            "callbackUrl": self.backend.webhook_url,
            "scope": "sheet",
            "scopeObjectId": sheet_id,
            "events": ["*.*"],
            "version": 1,
            "enabled": False,
            "status": "DISABLED_BY_OWNER",
            "sharedSecret": "earlier-secret",
            "stats": {},
            "createdAt": "2025-01-01T00:00:00Z",
            "modifiedAt": "2025-01-01T00:00:00Z",
            "callbackCount": 0,
        }
        self.emulator.reset()

        sheet.action_relink_sheet()

        self.assertEqual(list(self.emulator.webhooks), [hook_id])
        self.assertEqual(self.emulator.count(WEBHOOKS, "POST"), 0)
        self.assertEqual(sheet.webhook_id.webhook_id, str(hook_id))
        self.assertEqual(sheet.webhook_status, "ENABLED")
        self.assertEqual(sheet.webhook_id._shared_secret(), "earlier-secret")

    def test_later_reverifications_are_answered_in_both_forms(self):
        _sheet_id, _rows, _sheet = self.linked()
        [hook] = self.emulator.webhooks.values()

        self.assertTrue(self.emulator.verify(hook))
        url = hook["callbackUrl"]
        answer = requests.post(url, json={"challenge": "body-only", "webhookId": hook["id"]}, timeout=10)
        self.assertEqual(answer.json(), {"smartsheetHookResponse": "body-only"})
        answer = requests.post(
            url,
            data=b"{}",
            headers={"Smartsheet-Hook-Challenge": "head", "Content-Type": "application/json"},
            timeout=10,
        )
        self.assertEqual(answer.headers["Smartsheet-Hook-Response"], "head")

    def test_a_changed_row_reaches_its_task_through_one_job_and_one_read(self):
        sheet_id, rows, sheet = self.linked()
        self.emulator.update_cells(
            sheet_id, rows["Design A"], {"Task Name": "Wireframes v2", "Status": "Done"}
        )
        self.emulator.update_cells(sheet_id, rows["Build B"], {"Flagged": True})

        self.deliver(sheet_id)

        self.assertEqual(len(self.webhook_jobs()), 1, "one job per callback")
        self.emulator.reset()
        self.run_jobs()
        self.assertEqual(self.emulator.api_calls(), 1)
        self.assertEqual(
            sorted(int(row_id) for row_id in self.emulator.requests[0].query["rowIds"].split(",")),
            sorted([rows["Design A"], rows["Build B"]]),
        )
        tasks = self.tasks_by_row(sheet)
        self.assertEqual(tasks[rows["Design A"]].name, "Wireframes v2")
        self.assertEqual(tasks[rows["Design A"]].stage_id.name, "Done")
        self.assertEqual(tasks[rows["Build B"]].priority, "1")

    def test_a_forged_signature_is_refused_and_nothing_is_stored(self):
        sheet_id, rows, _sheet = self.linked()
        [hook] = self.emulator.webhooks.values()
        self.emulator.update_cells(sheet_id, rows["Design A"], {"Task Name": "Forged"})
        events = self.emulator.pending_events.pop(sheet_id)
        body = {
            "nonce": "forged-1",
            "timestamp": "2025-03-04T10:15:01Z",
            "webhookId": hook["id"],
            "scope": "sheet",
            "scopeObjectId": sheet_id,
            "events": events,
        }

        forged = self.emulator.send_callback(hook["id"], body, secret="not-the-secret")
        unsigned = requests.post(
            hook["callbackUrl"],
            data=json.dumps(body),
            headers={"Content-Type": "application/json"},
            timeout=10,
        )

        self.assertEqual((forged.status_code, unsigned.status_code), (403, 403))
        self.env.invalidate_all()
        self.assertFalse(self.webhook_jobs())
        self.assertFalse(
            self.env["connector.webhook.event"].search(
                [("backend_model", "=", "smartsheet.backend"), ("backend_id", "=", self.backend.id)]
            )
        )

    def test_a_duplicate_callback_is_applied_once(self):
        sheet_id, rows, _sheet = self.linked()
        self.emulator.update_cells(sheet_id, rows["Design A"], {"Task Name": "Once"})
        self.deliver(sheet_id)

        again = self.emulator.redeliver()

        self.assertEqual((again.status_code, again.text), (200, "duplicate"))
        self.env.invalidate_all()
        self.assertEqual(len(self.webhook_jobs()), 1)

    def test_events_of_this_connector_own_writes_create_no_job(self):
        sheet_id, rows, _sheet = self.linked()
        name = self.emulator.column_id(sheet_id, "Task Name")
        with self.backend._smartsheet_client() as client:
            client.update_rows(
                sheet_id, [{"id": rows["Design A"], "cells": [{"columnId": name, "value": "Ours"}]}]
            )

        self.deliver(sheet_id)

        self.assertFalse(self.webhook_jobs(), self.webhook_jobs().payload_text)

    def test_deleted_row_events_archive_the_tasks(self):
        sheet_id, rows, sheet = self.linked()
        self.emulator.delete_row(sheet_id, rows["Build A"])

        self.deliver(sheet_id)
        self.run_jobs()

        tasks = self.tasks_by_row(sheet, rows.values())
        self.assertFalse(tasks[rows["Build A"]].active)
        self.assertFalse(tasks[rows["Build A review"]].active)
        self.assertEqual(self.emulator.count(SHEET, "GET"), 0, "deletions need no read")

    def test_status_callbacks_update_the_webhook_and_the_health_check_enables_it_again(self):
        _sheet_id, _rows, sheet = self.linked()
        [hook] = self.emulator.webhooks.values()

        self.env.flush_all()
        response = self.emulator.change_webhook_status(hook["id"], "DISABLED_SCOPE_INACCESSIBLE")
        self.assertEqual(response.status_code, 200)
        self.run_jobs()
        self.assertEqual(sheet.webhook_status, "DISABLED_SCOPE_INACCESSIBLE")

        self.backend.action_check_health()

        self.assertEqual(sheet.webhook_status, "ENABLED")
        self.assertTrue(self.emulator.webhooks[hook["id"]]["enabled"])
        self.assertIn("Webhook of", self.backend.health_message)
        self.assertEqual(self.backend.health_state, "ok", self.backend.health_message)
