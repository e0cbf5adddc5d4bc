from datetime import datetime, timedelta

from odoo import fields

from .common import TrelloCase


class TestExport(TrelloCase):
    def setUp(self):
        super().setUp()
        self.link = self.link_board()
        self.trello.take_pending()
        self.stages = {item.name: item.stage_id for item in self.link.list_ids}
        self.printer = self.task_of("Install printer")

    def test_deleting_a_task_archives_its_card_when_the_backend_says_so(self):
        self.backend.deleted_record_policy = "archive"

        self.printer.unlink()
        self.run_jobs()

        self.assertTrue(self.card("Install printer")["closed"])
        # One job per external type: the card, and the check items of its subtasks (left alone).
        self.assertEqual(set(self.jobs(method_name="_job_remove_deleted_records").mapped("state")), {"done"})

    def test_deleting_a_task_leaves_its_card_by_default(self):
        self.printer.unlink()
        self.run_jobs()

        self.assertFalse(self.card("Install printer")["closed"])
        self.assertFalse(self.jobs(method_name="_job_remove_deleted_records"))

    def test_a_task_changed_in_odoo_updates_its_card(self):
        network = self.env["project.tags"].create({"name": "Network", "color": 10})
        self.printer.write(
            {
                "name": "Install the printer",
                "description": "<p>Second floor, <strong>by the desk</strong></p>",
                "date_deadline": datetime(2031, 5, 6, 7, 8, 9),
                "stage_id": self.stages["Done"].id,
                "tag_ids": [(4, network.id)],
                "user_ids": [(5, 0, 0)],
            }
        )
        self.run_jobs()

        card = self.card("Install printer")
        self.assertEqual(card["name"], "Install the printer")
        self.assertEqual(card["desc"], "Second floor, **by the desk**")
        self.assertEqual(card["due"], "2031-05-06T07:08:09.000Z")
        self.assertEqual(card["idList"], self.sample["lists"]["Done"])
        labels = {
            self.trello.labels[label_id]["name"]: self.trello.labels[label_id]
            for label_id in card["idLabels"]
        }
        self.assertEqual(sorted(labels), ["Hardware", "Network", "Urgent"])
        self.assertEqual(labels["Network"]["color"], "green", "a new label takes the tag's colour")
        self.assertEqual(
            card["idMembers"], [self.trello.me], "Bruno unassigned; Ana, not mapped to a user, stays"
        )
        export = self.jobs(method_name="_job_export_record")
        self.assertEqual(export.mapped("state"), ["done"])

    def test_our_own_change_coming_back_by_webhook_is_not_imported_again(self):
        self.printer.write({"name": "Renamed in Odoo", "stage_id": self.stages["Done"].id})
        self.run_jobs()
        self.env.flush_all()
        written = self.printer.write_date
        self.trello.reset()

        self.assertEqual(set(self.deliver()), {200})
        self.run_jobs()

        applied = self.jobs(method_name="_job_apply_action").sorted("id")
        self.assertTrue(applied)
        self.assertEqual(set(applied.mapped("state")), {"done"}, "the first took the others along")
        self.assertEqual(applied[0].result_summary, "Already read after these actions.")
        self.assertEqual(self.trello.count("/1/cards/{card_id}", "GET"), 0, "not even read again")
        self.assertEqual(self.printer.write_date, written)
        self.assertFalse(self.jobs(method_name="_job_export_record", state="pending"), "no ping-pong")

    def test_a_new_task_in_a_linked_project_becomes_a_card_in_the_list_of_its_stage(self):
        task = self.env["project.task"].create(
            {
                "name": "Replace the router",
                "project_id": self.link.project_id.id,
                "stage_id": self.stages["Doing"].id,
                "user_ids": [(6, 0, self.bruno.ids)],
                "date_deadline": datetime(2031, 1, 2, 3, 4, 5),
            }
        )
        new_stage = self.env["project.task.type"].create(
            {"name": "Waiting", "project_ids": [(4, self.link.project_id.id)]}
        )
        waiting = self.env["project.task"].create(
            {"name": "Call the vendor", "project_id": self.link.project_id.id, "stage_id": new_stage.id}
        )
        self.run_jobs()

        [card] = [card for card in self.trello.cards.values() if card["name"] == "Replace the router"]
        self.assertEqual(card["idList"], self.sample["lists"]["Doing"])
        self.assertEqual(card["idMembers"], [self.sample["members"]["bruno"]])
        self.assertEqual(card["due"], "2031-01-02T03:04:05.000Z")
        self.assertEqual(
            self.env["project.task"]._connector_find(self.backend, "card", [card["id"]])[card["id"]], task
        )
        self.assertEqual(task.trello_card_url, card["shortUrl"])
        [vendor] = [card for card in self.trello.cards.values() if card["name"] == "Call the vendor"]
        self.assertEqual(
            self.trello.lists[vendor["idList"]]["name"], "Waiting", "a stage without list gets one"
        )
        self.assertEqual(self.link.list_ids.filtered(lambda item: item.name == "Waiting").stage_id, new_stage)
        self.assertEqual(waiting.trello_board_id, self.link)

    def test_archiving_a_task_closes_its_card(self):
        self.printer.active = False
        self.run_jobs()

        self.assertTrue(self.card("Install printer")["closed"])

    def test_changes_on_both_sides_follow_each_field_s_authority(self):
        card_id = self.sample["cards"]["Install printer"]
        odoo_deadline = datetime(2031, 3, 3, 12, 0, 0)
        self.trello.update_card(card_id, due="2032-01-01T00:00:00.000Z")
        self.trello.move_card(card_id, self.sample["lists"]["Done"])
        self.trello.take_pending()  # the webhooks have not arrived yet
        self.printer.write({"date_deadline": odoo_deadline, "stage_id": self.stages["To do"].id})

        self.run_jobs()

        card = self.card("Install printer")
        self.assertEqual(card["due"], "2031-03-03T12:00:00.000Z", "Odoo wins on deadlines")
        self.assertEqual(self.printer.date_deadline, odoo_deadline)
        self.assertEqual(self.printer.stage_id, self.stages["Done"], "Trello wins on progress")
        self.assertEqual(card["idList"], self.sample["lists"]["Done"])

    def test_a_field_without_authority_changed_on_both_sides_waits_for_a_person(self):
        card_id = self.sample["cards"]["Install printer"]
        self.trello.update_card(card_id, name="Trello name")
        self.trello.take_pending()
        self.printer.name = "Odoo name"
        self.run_jobs()

        conflict = self.env["connector.sync.conflict"].search([("field_name", "=", "name")])
        self.assertEqual(conflict.mapped("state"), ["open"])
        self.assertEqual((conflict.odoo_value, conflict.external_value), ("Odoo name", "Trello name"))
        self.assertEqual(
            (self.printer.name, self.card("Install printer")["name"]), ("Odoo name", "Trello name")
        )

        # Trello changes the name again while the conflict is open: still nothing overwritten.
        self.trello.update_card(card_id, name="Trello name 2")
        self.deliver()
        self.run_jobs()
        self.assertEqual(self.printer.name, "Odoo name")
        self.assertEqual((conflict.state, conflict.external_value), ("open", "Trello name 2"))

        conflict.action_keep_odoo()
        self.run_jobs()
        self.assertEqual(self.card("Install printer")["name"], "Odoo name")

    def test_a_rate_limited_export_waits_out_the_window_and_then_lands(self):
        self.trello.fail_next(429, route="/1/cards/{card_id}", method="PUT")
        self.printer.name = "After the limit"
        self.run_jobs()

        [job] = self.jobs(method_name="_job_export_record")
        self.assertEqual(job.state, "pending")
        self.assertGreaterEqual(job.next_attempt_at, fields.Datetime.now() + timedelta(seconds=9))
        self.assertEqual(self.card("Install printer")["name"], "Install printer")

        job.next_attempt_at = fields.Datetime.now()
        self.run_jobs()

        self.assertEqual(job.state, "done")
        self.assertEqual(self.card("Install printer")["name"], "After the limit")

    def test_a_mapped_custom_field_changed_in_odoo_is_written_to_the_card(self):
        self.env["connector.field.mapping"]._ensure_defaults(
            self.backend,
            "card",
            "project.task",
            [
                {
                    "odoo_field": "allocated_hours",
                    "external_field": "customField:Estimate",
                    "converter": "float",
                }
            ],
        )
        self.link.action_import()
        self.run_jobs()
        self.assertEqual(self.printer.allocated_hours, 3.0)

        self.printer.allocated_hours = 5.5
        self.run_jobs()

        estimate = self.sample["custom_fields"]["Estimate"]
        item = self.trello.custom_field_items[self.sample["cards"]["Install printer"]][estimate]
        self.assertEqual(item["value"], {"number": "5.5"})
        self.assertEqual(self.card("Install printer")["name"], "Install printer", "nothing else sent")

    def test_tasks_of_an_unlinked_board_no_longer_reach_trello(self):
        self.link.action_unlink_board()
        self.run_jobs()

        self.printer.name = "Only in Odoo now"
        self.run_jobs()

        self.assertEqual(self.card("Install printer")["name"], "Install printer")
        self.assertFalse(self.jobs(state="failed"))
