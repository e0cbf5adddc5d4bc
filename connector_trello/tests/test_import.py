from odoo.addons.connector_base.lib.dates import parse_iso_datetime, to_naive_utc

from .common import TrelloCase


class TestBoardImport(TrelloCase):
    def test_linking_a_board_registers_its_webhook_and_imports_the_whole_board(self):
        link = self.link_board()

        self.assertEqual(self.jobs(state="failed").mapped("error_message"), [])
        [webhook] = self.trello.webhooks.values()
        self.assertEqual(
            (webhook["idModel"], webhook["callbackURL"]), (self.sample["board"], self.backend.webhook_url)
        )
        self.assertEqual((link.webhook_id, link.webhook_active), (webhook["id"], True))
        self.assertEqual(
            link.last_action_id, self.trello.actions[-1]["id"], "the poll starts after the import"
        )

        project = link.project_id
        self.assertEqual(project.name, "IT")
        self.assertIn("<strong>IT</strong>", project.description)
        stages = project.with_context(active_test=False).type_ids.sorted("sequence")
        self.assertEqual(stages.mapped("name"), ["To do", "Doing", "Done", "Old requests"])
        self.assertEqual(
            stages.mapped("fold"), [False, False, False, True], "an archived list folds its stage"
        )

        printer = self.task_of("Install printer")
        self.assertEqual(printer.project_id, project)
        self.assertEqual(printer.stage_id.name, "Doing")
        self.assertIn("<strong>reception</strong>", printer.description)
        self.assertIn('<a href="https://example.com/manual">manual</a>', printer.description)
        due = to_naive_utc(parse_iso_datetime(self.card("Install printer")["due"]))
        self.assertEqual(printer.date_deadline, due)
        self.assertEqual(printer.state, "01_in_progress")
        self.assertTrue(printer.planned_date_start)
        self.assertEqual(sorted(printer.tag_ids.mapped("name")), ["Hardware", "Urgent"])
        self.assertEqual({tag.name: tag.color for tag in printer.tag_ids}, {"Hardware": 2, "Urgent": 1})
        self.assertEqual(printer.user_ids, self.bruno, "members map to users by email, the others are listed")
        self.assertEqual(printer.trello_card_url, self.card("Install printer")["shortUrl"])

        subtasks = printer.child_ids.sorted("sequence")
        self.assertEqual(subtasks.mapped("name"), ["Unpack", "Install driver", "Print test page"])
        self.assertEqual(subtasks.mapped("state"), ["1_done", "01_in_progress", "01_in_progress"])

        notes = printer.message_ids.filtered(lambda message: message.message_type == "comment")
        by_body = {message.body: message for message in notes}
        self.assertEqual(by_body["<p>Printer arrived</p>"].author_id, self.bruno.partner_id)
        carla_note = by_body["<p>Driver needs <strong>admin</strong> rights</p>"]
        self.assertFalse(carla_note.author_id)
        self.assertEqual(carla_note.email_from, "Carla Dias (Trello)")

        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "project.task"), ("res_id", "=", printer.id)]
        )
        by_name = {attachment.name: attachment for attachment in attachments}
        self.assertEqual(by_name["invoice.txt"].raw, b"Printer invoice #42\n")
        self.assertEqual(by_name["manual-link"].url, "https://example.com/printer-manual")
        self.assertEqual(
            (by_name["video.mp4"].type, by_name["video.mp4"].raw), ("url", False), "over the size limit"
        )

        archived = (
            self.env["project.task"]
            .with_context(active_test=False)
            .search([("trello_board_id", "=", link.id), ("name", "=", "Old cabling request")])
        )
        self.assertFalse(archived.active)
        laptops = self.task_of("Order laptops")
        self.assertEqual(
            laptops.tag_ids.mapped("name"), ["Green"], "a nameless label is named after its colour"
        )
        self.assertFalse(laptops.user_ids, "Carla is not mapped: no user is made up")
        carla = self.backend.member_ids.filtered(lambda member: member.username == "carla")
        self.assertFalse(carla.user_id)
        self.assertEqual(
            self.backend.unmapped_member_count, 2, "Ana (no Odoo user) and Carla wait for a person"
        )

    def test_the_import_reads_the_board_in_a_handful_of_calls(self):
        self.link_board()

        paths = [request.route for request in self.trello.requests if request.method == "GET"]
        self.assertEqual(paths.count("/1/boards/{board_id}"), 1)
        self.assertEqual(paths.count("/1/boards/{board_id}/cards"), 1, "one page of cards")
        self.assertEqual(paths.count("/1/boards/{board_id}/actions"), 1, "one page of comments")
        self.assertEqual(
            paths.count("/1/cards/{card_id}/attachments/{attachment_id}/download/{file_name}"), 1
        )

    def test_importing_an_unchanged_board_again_writes_nothing(self):
        link = self.link_board()
        self.env.flush_all()
        self.env.cr.execute("SELECT max(write_date) FROM project_task WHERE trello_board_id = %s", [link.id])
        written = self.env.cr.fetchone()[0]

        link.action_import()
        self.run_jobs()

        job = self.jobs(method_name="_job_import_board").sorted("id")[-1]
        self.assertEqual((job.state, job.records_created, job.records_updated), ("done", 0, 0))
        self.env.cr.execute("SELECT max(write_date) FROM project_task WHERE trello_board_id = %s", [link.id])
        self.assertEqual(self.env.cr.fetchone()[0], written)

    def test_linking_reuses_the_webhook_the_token_already_has_for_the_board(self):
        self.link_board()
        [first] = self.trello.webhooks
        self.env["trello.board"].search([("backend_id", "=", self.backend.id)]).unlink()
        self.run_jobs()
        self.assertEqual(self.trello.webhooks, {})

        self.trello.webhooks[first] = {
            "id": first,
            "description": "made elsewhere",
            "idModel": self.sample["board"],
            "callbackURL": self.backend.webhook_url,
            "active": True,
            "consecutiveFailures": 0,
            "firstConsecutiveFailDate": None,
            "_token": next(iter(self.trello.tokens)),
        }
        link = self.link_board()

        self.assertEqual(list(self.trello.webhooks), [first])
        self.assertEqual(link.webhook_id, first)

    def test_a_custom_field_fills_a_task_field_through_the_field_mapping(self):
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

        self.link_board()

        self.assertEqual(self.task_of("Install printer").allocated_hours, 3.0)

    def test_a_list_mapped_to_an_existing_stage_moves_its_cards_there(self):
        link = self.link_board()
        done = link.list_ids.filtered(lambda item: item.name == "Done").stage_id

        link.list_ids.filtered(lambda item: item.name == "Doing").stage_id = done
        self.run_jobs()

        self.assertEqual(self.task_of("Install printer").stage_id, done)

    def test_a_task_deleted_in_odoo_comes_back_whole_at_the_next_import(self):
        link = self.link_board()
        self.task_of("Install printer").unlink()

        link.action_import()
        self.run_jobs()

        printer = self.task_of("Install printer")
        self.assertEqual(len(printer.child_ids), 3)
        self.assertIn("<p>Printer arrived</p>", printer.message_ids.mapped("body"))
        self.assertEqual(
            self.env["ir.attachment"].search_count(
                [("res_model", "=", "project.task"), ("res_id", "=", printer.id)]
            ),
            3,
        )
