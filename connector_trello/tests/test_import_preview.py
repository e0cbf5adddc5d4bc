from odoo.addons.connector_base.tests.common import table_counts

from .common import TrelloCase

# Tables a board's import writes to: the preview must leave every one as it was.
IMPORT_TABLES = (
    "project_project",
    "project_task_type",
    "project_tags",
    "project_task",
    "trello_list",
    "connector_external_binding",
    "connector_sync_job",
    "ir_attachment",
    "mail_message",
)


class TestImportPreview(TrelloCase):
    def setUp(self):
        super().setUp()
        wizard = self.env["trello.board.link"].with_context(default_backend_id=self.backend.id).create({})
        wizard.line_ids.selected = True
        self.action = wizard.action_link_and_preview()
        self.link = self.env["trello.board"].search([("backend_id", "=", self.backend.id)])
        self.run_jobs()  # the webhook registration

    def preview(self):
        requests_before = len(self.trello.requests)
        action = self.link.action_preview_import()
        return self.env["connector.import.preview"].browse(action["res_id"]), (
            len(self.trello.requests) - requests_before
        )

    def test_linking_through_the_wizard_opens_the_preview_and_holds_the_import_back(self):
        self.assertEqual(self.action["res_model"], "connector.import.preview")
        self.assertFalse(self.jobs(method_name="_job_import_board"))
        self.assertEqual(self.jobs(method_name="_job_register_webhook").state, "done")

    def test_the_preview_tells_what_the_import_then_does_with_fewer_calls_and_writes_nothing(self):
        before = table_counts(self.env, IMPORT_TABLES)

        wizard, preview_requests = self.preview()

        self.assertEqual(table_counts(self.env, IMPORT_TABLES), before)
        self.assertFalse(self.link.project_id)
        self.assertEqual((wizard.update_count, wizard.fail_count), (0, 0))
        printer = wizard.row_ids.filtered(lambda row: row.reference == "Install printer")
        self.assertEqual(printer.kind, "create")
        self.assertIn("Project: IT", printer.values_text)
        self.assertIn("Stage: Doing", printer.values_text)
        self.assertIn("Tags: Hardware, Urgent", printer.values_text)
        self.assertIn("Assignees: Bruno Odoo", printer.values_text)
        lost = {(line.reference, line.field, line.value) for line in wizard.problem_ids}
        self.assertIn(("Order laptops", "Assignees", "Carla Dias"), lost)
        self.assertEqual(wizard.api_calls, preview_requests)

        requests_before = len(self.trello.requests)
        wizard.action_import()
        self.run_jobs()

        self.assertLessEqual(preview_requests, len(self.trello.requests) - requests_before)
        cards = (
            self.env["project.task"]
            .with_context(active_test=False)
            .search_count([("trello_board_id", "=", self.link.id), ("parent_id", "=", False)])
        )
        self.assertEqual(cards, wizard.create_count)
        self.assertEqual(self.task_of("Order laptops").user_ids, self.env["res.users"])

    def test_a_card_that_cannot_be_mapped_is_shown_as_failing_with_its_reason(self):
        self.env["connector.field.mapping"]._ensure_defaults(
            self.backend,
            "card",
            "project.task",
            [{"odoo_field": "allocated_hours", "external_field": "customField:Client", "converter": "float"}],
        )

        wizard, _requests = self.preview()

        [failure] = wizard.problem_ids.filtered(lambda line: line.kind == "fail")
        self.assertEqual((failure.reference, failure.value), ("Install printer", "Reception"))
        self.assertEqual(failure.field, "Allocated Time")
        self.assertEqual(failure.reason, "not a number")
        self.assertEqual(wizard.fail_count, 1)


class TestImportPreviewTour(TrelloCase):
    def test_a_board_is_linked_through_the_preview_and_imported_in_the_browser(self):
        self.start_tour(
            f"/odoo/action-connector_trello.action_trello_backend/{self.backend.id}",
            "connector_trello_import_preview",
            login="admin",
        )
        link = self.env["trello.board"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(self.jobs(method_name="_job_import_board").state, "pending")
        self.run_jobs()

        self.assertEqual(self.task_of("Install printer").trello_board_id, link)
        self.assertEqual(self.task_of("Install printer").stage_id.name, "Doing")
