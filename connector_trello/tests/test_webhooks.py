from datetime import datetime
from unittest.mock import patch

import requests

from odoo.addons.connector_trello.tests.emulator import sign

from .common import TrelloCase


class TestWebhooks(TrelloCase):
    def setUp(self):
        super().setUp()
        self.link = self.link_board()
        self.trello.take_pending()  # nothing happened on the board yet
        self.trello.reset()

    def test_trello_s_head_check_is_answered_200(self):
        response = requests.head(self.backend.webhook_url, timeout=10)

        self.assertEqual(response.status_code, 200)

    def test_a_card_moved_in_trello_changes_the_task_stage_through_the_webhook(self):
        self.trello.move_card(self.sample["cards"]["Order laptops"], self.sample["lists"]["Done"])

        self.assertEqual(self.deliver(), [200])
        [job] = self.jobs(kind="webhook")
        self.assertEqual((job.method_name, job.object_type), ("_job_apply_action", "card"))
        self.run_jobs()

        self.assertEqual(job.state, "done")
        self.assertEqual(self.task_of("Order laptops").stage_id.name, "Done")

    def test_a_forged_or_unsigned_callback_gets_401_and_nothing_is_stored(self):
        self.trello.move_card(self.sample["cards"]["Order laptops"], self.sample["lists"]["Done"])
        [delivery] = self.trello.take_pending()
        forged = sign("not-the-app-secret", delivery.body, delivery.url)
        other_url = sign(self.trello.app_secret, delivery.body, "http://attacker.example/hook")

        statuses = [
            self.trello.deliver(delivery, signature=value).status_code for value in (forged, other_url, "")
        ]

        self.assertEqual(statuses, [401, 401, 401])
        self.env.invalidate_all()
        self.assertFalse(self.jobs(kind="webhook"))
        self.assertFalse(
            self.env["connector.webhook.event"].search(
                [("backend_model", "=", self.backend._name), ("backend_id", "=", self.backend.id)]
            )
        )

    def test_duplicate_and_out_of_order_deliveries_are_applied_once_in_the_final_state(self):
        card = self.sample["cards"]["Order laptops"]
        self.trello.move_card(card, self.sample["lists"]["Doing"])
        self.trello.update_card(card, name="Order 3 laptops")
        self.trello.move_card(card, self.sample["lists"]["Done"])
        first, second, third = self.trello.take_pending()

        self.env.flush_all()
        for delivery in (third, first, third, second, first):
            self.assertEqual(self.trello.deliver(delivery).status_code, 200)
        self.env.invalidate_all()

        self.assertEqual(len(self.jobs(kind="webhook")), 3, "one job per action, whatever the redeliveries")
        self.run_jobs()
        task = self.task_of("Order laptops")
        self.assertEqual((task.stage_id.name, task.name), ("Done", "Order 3 laptops"))
        card_reads = self.trello.count("/1/cards/{card_id}", "GET")
        self.assertEqual(card_reads, 1, "the first job read the card after every action: the others skip")

    def test_a_burst_of_actions_on_several_cards_is_applied_in_one_run_reading_the_board_once(self):
        cards, lists = self.sample["cards"], self.sample["lists"]
        self.trello.update_card(cards["Install printer"], name="Install the printer")
        self.trello.move_card(cards["Order laptops"], lists["Done"])
        self.trello.update_card(cards["Install printer"], name="Install both printers")
        new_card = self.trello.create_card(lists["Doing"], "Replace the router")
        self.assertEqual(self.deliver(), [200] * 4)
        jobs = self.jobs(kind="webhook")
        self.trello.reset()

        ran = self.run_jobs()

        self.assertEqual(len(ran), 1, "the first job took the other three along")
        self.assertEqual(jobs.mapped("state"), ["done"] * 4)
        self.assertEqual(self.task_of("Install printer").name, "Install both printers")
        self.assertEqual(self.task_of("Order laptops").stage_id.name, "Done")
        task = self.env["project.task"]._connector_find(self.backend, "card", [new_card])[new_card]
        self.assertEqual((task.name, task.stage_id.name), ("Replace the router", "Doing"))
        self.assertEqual(
            (self.trello.count("/1/boards/{board_id}/cards", "GET"), self.trello.count()),
            (1, 1),
            "three cards changed, one listing call for all of them",
        )

    def test_comments_labels_members_checklists_and_archiving_are_applied(self):
        card = self.sample["cards"]["Order laptops"]
        bruno = self.sample["members"]["bruno"]
        self.trello.comment(card, "Ordered **today**", by=bruno)
        self.trello.add_label_to_card(card, self.sample["labels"]["Urgent"])
        self.trello.add_member_to_card(card, bruno)
        checklist = self.trello.add_checklist(card, "Steps", ["Get quotes"])
        item = self.trello.checklists[checklist]["checkItems"][0]["id"]
        self.trello.check_item(card, item)
        self.trello.update_card(card, due="2031-02-03T06:05:06.000+02:00")
        self.trello.update_card(card, closed="true")

        self.deliver()
        self.run_jobs()

        task = (
            self.env["project.task"].with_context(active_test=False).browse(self.task_of("Order laptops").id)
        )
        self.assertFalse(task.active, "a closed card archives its task")
        self.assertEqual(task.date_deadline, datetime(2031, 2, 3, 4, 5, 6), "kept in UTC")
        self.assertEqual(sorted(task.tag_ids.mapped("name")), ["Green", "Urgent"])
        self.assertEqual(task.user_ids, self.bruno)
        self.assertEqual(task.with_context(active_test=False).child_ids.mapped("state"), ["1_done"])
        note = task.message_ids.filtered(
            lambda message: message.body == "<p>Ordered <strong>today</strong></p>"
        )
        self.assertEqual(note.author_id, self.bruno.partner_id)

    def test_an_edited_then_deleted_comment_follows_trello(self):
        card = self.sample["cards"]["Order laptops"]
        action = self.trello.comment(card, "First words")
        self.deliver()
        self.run_jobs()
        self.trello.edit_comment(action["id"], "Better words")
        self.deliver()
        self.run_jobs()
        task = self.task_of("Order laptops")
        self.assertIn("<p>Better words</p>", task.message_ids.mapped("body"))

        self.trello.delete_comment(action["id"])
        self.deliver()
        self.run_jobs()

        self.assertNotIn("<p>Better words</p>", task.message_ids.mapped("body"))

    def test_a_missed_webhook_is_caught_up_by_polling(self):
        card = self.sample["cards"]["Order laptops"]
        self.trello.move_card(card, self.sample["lists"]["Done"])
        self.late_deliveries = self.trello.take_pending()  # lost on the way, for now

        self.env["trello.backend"]._cron_connector_poll()
        self.run_jobs()

        self.assertEqual(self.task_of("Order laptops").stage_id.name, "Done")
        self.assertEqual(self.link.last_action_id, self.trello.actions[-1]["id"])

        # The webhook of the polled action, arriving late after all, is recognised and dropped.
        self.env.flush_all()
        self.assertEqual(
            [self.trello.deliver(delivery).text for delivery in self.late_deliveries], ["duplicate"]
        )

    def test_a_poll_without_new_actions_makes_one_call_and_writes_nothing(self):
        self.env.flush_all()
        statements = []
        execute = self.env.cr.execute

        def spy(query, params=None, log_exceptions=True):
            statements.append(str(getattr(query, "code", query)).lstrip().split()[0].upper())
            return execute(query, params, log_exceptions)

        with patch.object(self.env.cr, "execute", spy):
            polled = self.backend._connector_poll_container(self.link.board_id)
            self.env.flush_all()

        self.assertEqual(polled["summary"], "Nothing changed.")
        self.assertEqual(self.trello.count(), 1, "one API call")
        self.assertEqual([verb for verb in statements if verb in ("INSERT", "UPDATE", "DELETE")], [])

    def test_unlinking_a_board_deletes_its_webhook(self):
        self.assertTrue(self.trello.webhooks)

        self.link.action_unlink_board()
        self.run_jobs()

        self.assertEqual(self.trello.webhooks, {})
        self.assertFalse(self.link.active)

    def test_the_health_check_reactivates_an_inactive_webhook_and_recreates_a_missing_one(self):
        self.trello.deactivate_webhook(self.link.webhook_id)

        self.backend.action_check_health()

        self.assertTrue(self.trello.webhooks[self.link.webhook_id]["active"])
        self.assertIn("re-activated", self.backend.health_message)
        self.assertEqual(self.backend.health_state, "ok")

        self.trello.webhooks.clear()
        self.backend.action_check_health()
        self.assertEqual(list(self.trello.webhooks), [self.link.webhook_id])
        self.assertIn("registered again", self.backend.health_message)

    def test_a_card_in_a_list_odoo_has_not_seen_yet_brings_the_list_along(self):
        blocked = self.trello.add_list(self.sample["board"], "Blocked")  # its own action comes later
        self.trello.create_card(blocked, "Urgent fix")

        self.deliver()
        self.run_jobs()

        task = self.env["project.task"].search([("name", "=", "Urgent fix")])
        self.assertEqual(task.stage_id.name, "Blocked")
        self.assertIn(task.stage_id, self.link.project_id.type_ids)
