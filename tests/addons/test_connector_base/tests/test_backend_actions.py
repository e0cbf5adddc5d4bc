from odoo.addons.connector_base.tests.common import ConnectorCase

TASK = "test.connector.task"


class TestBackendActions(ConnectorCase):
    """The window actions a backend's buttons open, shared by every connector."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.env["test.connector.backend"].create({"name": "Other backend"})

    def mapping(self, backend, external_field):
        return self.env["connector.field.mapping"].create(
            {
                "backend_model": backend._name,
                "backend_id": backend.id,
                "external_type": "card",
                "model_id": self.env["ir.model"]._get_id(TASK),
                "field_id": self.env["ir.model.fields"]._get(TASK, "name").id,
                "external_field": external_field,
            }
        )

    def test_view_mappings_lists_this_backends_mappings_only(self):
        mine, theirs = self.mapping(self.backend, "title"), self.mapping(self.other, "title")
        action = self.backend.action_view_mappings()
        found = self.env["connector.field.mapping"].search(action["domain"])
        self.assertIn(mine, found)
        self.assertNotIn(theirs, found)

    def test_view_containers_lists_this_backends_containers_and_creates_for_it(self):
        Board = self.env["test.connector.board"]
        mine = Board.create({"name": "IT", "backend_id": self.backend.id})
        Board.create({"name": "Sales", "backend_id": self.other.id})
        action = self.backend._connector_action_view_containers("connector_base.action_connector_sync_job")
        self.assertEqual(Board.search(action["domain"]), mine)
        self.assertEqual(action["context"], {"default_backend_id": self.backend.id})

    def test_link_wizard_opens_on_the_backend(self):
        action = self.backend._connector_action_link_wizard("connector_base.action_connector_sync_job")
        self.assertEqual(action["context"], {"default_backend_id": self.backend.id})


class TestJobContainer(ConnectorCase):
    def test_a_job_finds_its_container_only_while_it_is_linked(self):
        Board = self.env["test.connector.board"]
        board = Board.create({"name": "IT", "backend_id": self.backend.id})
        job = self.backend._connector_enqueue("_job_noop", {"board_id": board.id})

        self.assertEqual(self.backend._connector_job_container(job, Board._name, "board_id"), board)
        board.active = False
        self.assertFalse(self.backend._connector_job_container(job, Board._name, "board_id"))
        board.unlink()
        self.assertFalse(self.backend._connector_job_container(job, Board._name, "board_id"))


class TestContainerImport(ConnectorCase):
    def test_an_import_asked_twice_is_one_job_named_after_the_container(self):
        board = self.env["test.connector.board"].create({"name": "IT", "backend_id": self.backend.id})
        for _press in range(2):
            board._connector_container_enqueue_import("_job_import_board", "board_id", "board")
        job = self.Job.search(
            [("backend_id", "=", self.backend.id), ("method_name", "=", "_job_import_board")]
        )
        self.assertEqual(len(job), 1)
        self.assertEqual(
            (job.name, job.payload, job.object_type, job.object_name, job.priority),
            ("Import board IT", {"board_id": board.id}, "board", "board IT", 20),
        )
