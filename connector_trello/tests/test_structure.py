from datetime import timedelta

from odoo import fields

from odoo.addons.connector_trello.tests.emulator import DemoPages

from .common import TrelloCase


class TestBoardStructure(TrelloCase):
    def test_a_board_closed_in_trello_archives_its_project(self):
        link = self.link_board()

        self.trello.update_board(self.sample["board"], closed=True)
        self.deliver()
        self.run_jobs()

        self.assertFalse(link.project_id.active)
        self.assertTrue(link.closed)

    def test_several_boards_feed_one_project_and_share_its_stages_by_name(self):
        link = self.link_board()
        hr = self.trello.add_board("HR")
        self.trello.add_list(hr, "To do")
        hiring = self.trello.add_list(hr, "Hiring")
        self.trello.add_card(hiring, "Hire a technician")

        second = self.env["trello.board"].create(
            {"backend_id": self.backend.id, "board_id": hr, "name": "HR", "project_id": link.project_id.id}
        )
        self.run_jobs()

        project = link.project_id
        self.assertFalse(second.owns_project)
        self.assertEqual(
            sorted(project.with_context(active_test=False).type_ids.mapped("name")),
            ["Doing", "Done", "Hiring", "Old requests", "To do"],
        )
        to_do = second.list_ids.filtered(lambda item: item.name == "To do")
        self.assertEqual(to_do.stage_id, link.list_ids.filtered(lambda item: item.name == "To do").stage_id)
        self.assertFalse(to_do.owns_stage)
        technician = self.env["project.task"].search([("name", "=", "Hire a technician")])
        self.assertEqual((technician.project_id, technician.stage_id.name), (project, "Hiring"))
        self.assertEqual(technician.trello_board_id, second)

    def test_an_archived_list_archives_its_stage_when_the_backend_says_so(self):
        self.backend.archived_list_policy = "archive"
        link = self.link_board()
        done = link.list_ids.filtered(lambda item: item.name == "Done")

        self.trello.update_list(self.sample["lists"]["Done"], closed=True)
        self.deliver()
        self.run_jobs()

        self.assertTrue(done.closed)
        self.assertFalse(done.stage_id.active)

    def test_member_sync_matches_by_email_and_lists_the_others_without_making_users(self):
        self.link_board()
        dana = self.trello.add_member("Dana Reis", username="dana", email="dana@example.com")
        self.trello.boards[self.sample["board"]]["_members"].append(dana)
        user = self.env["res.users"].create(
            {"name": "Dana", "login": "dana.trello", "email": "DANA@example.com"}
        )
        users_before = self.env["res.users"].search_count([])

        self.backend.action_sync_members()
        self.run_jobs()

        members = {member.username: member for member in self.backend.member_ids}
        self.assertEqual((members["dana"].user_id, members["dana"].match), (user, "email"))
        self.assertFalse(members["carla"].user_id)
        self.assertEqual(self.env["res.users"].search_count([]), users_before)

    def test_mapping_a_member_by_hand_assigns_their_cards_and_comments(self):
        self.link_board()
        carla_user = self.env["res.users"].create({"name": "Carla Odoo", "login": "carla.trello"})
        carla = self.backend.member_ids.filtered(lambda member: member.username == "carla")

        carla.user_id = carla_user
        self.run_jobs()

        self.assertEqual(carla.match, "manual")
        self.assertEqual(self.task_of("Order laptops").user_ids, carla_user)
        note = self.task_of("Install printer").message_ids.filtered(
            lambda message: "admin" in (message.body or "")
        )
        self.assertEqual(note.author_id, carla_user.partner_id)

    def test_a_trello_outage_puts_the_job_back_in_the_queue_and_it_lands_later(self):
        self.link_board()
        self.trello.fail_next(503, route="/1/cards/{card_id}", method="GET", times=3)
        self.trello.move_card(self.sample["cards"]["Order laptops"], self.sample["lists"]["Done"])
        self.deliver()
        self.run_jobs()

        [job] = self.jobs(method_name="_job_apply_action")
        self.assertEqual((job.state, job.attempts), ("pending", 1))
        self.assertIn("HTTP 503", job.error_message)
        job.next_attempt_at = fields.Datetime.now() - timedelta(seconds=1)
        self.run_jobs()

        self.assertEqual(job.state, "done")
        self.assertEqual(self.task_of("Order laptops").stage_id.name, "Done")

    def test_the_run_command_demo_setup_links_the_emulator_s_boards(self):
        DemoPages(self.trello)

        lines = self.env["trello.backend"]._connector_demo_setup(self.trello.base_url)
        self.run_jobs()

        self.assertIn("boards linked: IT", lines[1])
        self.assertEqual(self.backend.member_name, "Ana Silva")
        self.assertTrue(self.task_of("Install printer"))
        self.assertEqual(len(self.trello.webhooks), 1)

    def test_the_link_wizard_offers_the_token_s_boards_and_links_the_chosen_ones(self):
        Wizard = self.env["trello.board.link"].with_context(default_backend_id=self.backend.id)
        wizard = Wizard.create({})
        self.assertEqual(wizard.line_ids.mapped("name"), ["IT"])

        wizard.line_ids.selected = True
        action = wizard.action_link()
        self.run_jobs()

        link = self.env["trello.board"].browse(action["res_id"])
        self.assertEqual((link.board_id, link.project_id.name), (self.sample["board"], "IT"))
        self.assertTrue(link.webhook_active)
        self.assertFalse(Wizard.create({}).line_ids, "a linked board is not offered again")

        hr = self.trello.add_board("HR")
        by_url = Wizard.create({"board_ref": self.trello.boards[hr]["url"], "project_id": link.project_id.id})
        by_url.line_ids.selected = False
        by_url.action_link()
        self.assertEqual(self.env["trello.board"].search([("board_id", "=", hr)]).project_id, link.project_id)

    def test_a_card_that_cannot_be_mapped_is_set_aside_and_the_others_are_imported(self):
        self.env["connector.field.mapping"]._ensure_defaults(
            self.backend,
            "card",
            "project.task",
            [{"odoo_field": "allocated_hours", "external_field": "customField:Client", "converter": "float"}],
        )

        link = self.link_board()

        [quarantined] = self.jobs(method_name="_job_import_card")
        self.assertEqual(quarantined.state, "failed")
        self.assertIn(self.sample["cards"]["Install printer"], quarantined.error_message)
        self.assertIn("Reception", quarantined.error_message)
        self.assertEqual(
            quarantined.payload, {"id": self.sample["cards"]["Install printer"], "idBoard": link.board_id}
        )
        self.assertTrue(self.task_of("Order laptops"))

        self.trello.set_custom_field_value(
            self.sample["cards"]["Install printer"], self.sample["custom_fields"]["Client"], "4.5"
        )
        quarantined.action_retry()
        self.run_jobs()
        self.assertEqual(self.task_of("Install printer").allocated_hours, 4.5)
