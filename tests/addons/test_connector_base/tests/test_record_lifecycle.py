from unittest.mock import patch

from odoo.addons.connector_base.lib.sync import FROM_CONNECTOR, every_record
from odoo.addons.connector_base.tests.common import ConnectorCase


class TestRecordLifecycle(ConnectorCase):
    """Create, structure changes and unlink of records a linked container holds, from the
    container's one declaration (``test.connector.board._connector_holds``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Card = cls.env["test.connector.card"]
        cls.board = cls.env["test.connector.board"].create({"name": "Board", "backend_id": cls.backend.id})

    def imported(self, vals_list):
        """Cards as an import creates them; returned in this test's plain environment."""
        return self.Card.with_context(**{FROM_CONNECTOR: True}).create(vals_list).with_env(self.env)

    def jobs(self, method_name):
        return self.Job.search(
            [
                ("backend_model", "=", self.backend._name),
                ("backend_id", "=", self.backend.id),
                ("method_name", "=", method_name),
            ]
        )

    def run_job(self, job):
        result = getattr(self.backend, job.method_name)(job)
        job.state = "done"
        return result

    def test_cards_created_in_a_linked_board_queue_one_export_job(self):
        self.Card.create(
            [{"name": "One", "board_id": self.board.id}, {"name": "Two", "board_id": self.board.id}]
        )
        self.Card.create({"name": "Three", "board_id": self.board.id})

        job = self.jobs("_job_export_new_cards")
        self.assertEqual(len(job), 1, "a burst of new cards queues one job")
        self.assertEqual(job.payload, {"board_id": self.board.id})
        self.assertEqual(job.object_name, f"board {self.board.name}", "the job names its container")
        self.assertEqual(self.run_job(job), {"created": 3})
        bindings = self.env["connector.external.binding"]._of_external_ids(self.backend, "card")
        self.assertEqual(sorted(bindings.mapped("res_id")), sorted(self.Card.search([]).ids))

    def test_jobs_about_one_board_share_its_serial_key_and_other_boards_do_not(self):
        other = self.env["test.connector.board"].create({"name": "Other", "backend_id": self.backend.id})
        (self.board | other)._connector_container_enqueue_import("_job_noop", "board_id", "board")
        self.Card.create({"name": "New", "board_id": self.board.id})

        imports = self.jobs("_job_noop")
        [export] = self.jobs("_job_export_new_cards")
        board_key = f"{self.backend._name},{self.backend.id}:{self.board._name},{self.board.id}"
        self.assertEqual(
            sorted(imports.mapped("serial_key")),
            sorted([board_key, f"{self.backend._name},{self.backend.id}:{other._name},{other.id}"]),
        )
        self.assertEqual(export.serial_key, board_key, "the board's export waits for its import")

    def test_cards_the_connector_creates_or_the_board_does_not_export_queue_nothing(self):
        self.Card.with_context(**{FROM_CONNECTOR: True}).create(
            {"name": "Imported", "board_id": self.board.id}
        )
        parent = self.Card.with_context(**{FROM_CONNECTOR: True}).create({"name": "Parent"})
        self.Card.create({"name": "Subcard", "board_id": self.board.id, "parent_id": parent.id})
        self.Card.create({"name": "Loose"})
        archived = self.board.copy({"active": False})
        self.Card.create({"name": "On an archived board", "board_id": archived.id})
        quiet = self.board.copy({"export_new": False})
        self.Card.create({"name": "On an import-only board", "board_id": quiet.id})

        self.assertFalse(self.jobs("_job_export_new_cards"))

    def test_a_card_moved_into_a_board_is_exported_unless_already_bound(self):
        loose = self.Card.create({"name": "Loose"})
        bound = self.Card.create({"name": "Bound"})
        bound._connector_bind(self.backend, "card", "c-1")

        bound.board_id = self.board
        self.assertFalse(self.jobs("_job_export_new_cards"), "a bound card has its platform object")
        loose.board_id = self.board
        self.assertEqual(len(self.jobs("_job_export_new_cards")), 1)

    def test_a_structure_change_re_exports_a_bound_card_even_with_the_same_mapped_values(self):
        card = self.imported({"name": "Card", "board_id": self.board.id})
        card._connector_bind(self.backend, "card", "c-1")
        binding = card.connector_binding_ids
        binding.export_hash = "last export"
        parent = self.imported({"name": "Parent"})

        card.parent_id = parent

        self.assertFalse(binding.export_hash, "the export is not skipped as unchanged")
        self.assertEqual(self.jobs("_job_export_record").payload, {"binding_id": binding.id})
        card.with_context(**{FROM_CONNECTOR: True}).parent_id = False
        self.assertEqual(len(self.jobs("_job_export_record")), 1)

    def bound_cards(self, *external_ids):
        cards = self.imported(
            [{"name": external_id, "board_id": self.board.id} for external_id in external_ids]
        )
        for card, external_id in zip(cards, external_ids, strict=True):
            card._connector_bind(self.backend, "card", external_id)
        return cards

    def test_deleting_bound_cards_leaves_their_platform_objects_by_default(self):
        self.assertEqual(self.backend.deleted_record_policy, "leave")
        self.bound_cards("c-1").unlink()

        self.assertFalse(self.jobs("_job_remove_deleted_records"))
        self.assertFalse(self.env["connector.external.binding"]._of_external_ids(self.backend, "card"))

    def test_deleting_bound_cards_deletes_or_archives_their_objects_as_the_backend_says(self):
        for policy in ("delete", "archive"):
            with self.subTest(policy=policy):
                self.backend.write({"deleted_record_policy": policy, "removed": []})
                cards = self.bound_cards(f"{policy}-1", f"{policy}-2")

                cards.unlink()

                job = self.jobs("_job_remove_deleted_records").filtered(
                    lambda job, policy=policy: job.payload["policy"] == policy
                )
                self.assertEqual(len(job), 1, "one job per external type")
                self.run_job(job)
                self.assertEqual(
                    sorted(self.backend.removed),
                    [[policy, "card", f"{policy}-1"], [policy, "card", f"{policy}-2"]],
                )

    def test_a_card_the_connector_deletes_is_not_removed_from_the_platform_again(self):
        self.backend.deleted_record_policy = "delete"
        self.bound_cards("c-1").with_context(**{FROM_CONNECTOR: True}).unlink()

        self.assertFalse(self.jobs("_job_remove_deleted_records"))

    def test_the_bindings_of_a_deleted_cards_messages_and_attachments_go_with_it(self):
        card = self.bound_cards("c-1")
        message = card.message_post(body="A comment from the platform")
        attachment = self.env["ir.attachment"].create(
            {"name": "file.txt", "raw": b"x", "res_model": card._name, "res_id": card.id}
        )
        Binding = self.env["connector.external.binding"]
        Binding._bind(self.backend, "comment", {"m-1": message})
        Binding._bind(self.backend, "attachment", {"a-1": attachment})

        card.unlink()

        self.assertFalse(Binding._of_external_ids(self.backend, "comment"))
        self.assertFalse(Binding._of_external_ids(self.backend, "attachment"))


class TestEveryRecordHeld(ConnectorCase):
    """A container holding every record of its model (``lib.sync.every_record``), not tied to
    a field of them: every active one is offered each new record and picks its own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Card = cls.env["test.connector.card"]
        cls.board = cls.env["test.connector.board"].create({"name": "Board", "backend_id": cls.backend.id})

    imported = TestRecordLifecycle.imported
    jobs = TestRecordLifecycle.jobs

    def setUp(self):
        super().setUp()
        Board = type(self.env["test.connector.board"])
        patcher = patch.object(Board, "_connector_holds", every_record("test.connector.card"))
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_a_card_created_outside_any_board_is_offered_to_every_active_board(self):
        self.board.copy({"active": False})
        quiet = self.board.copy({"export_new": False})

        self.Card.create({"name": "Loose"})

        [job] = self.jobs("_job_export_new_cards")
        self.assertEqual(job.payload, {"board_id": self.board.id}, "the active board that exports it")
        self.assertFalse(
            self.jobs("_job_export_new_cards").filtered(lambda job: job.payload["board_id"] == quiet.id)
        )

    def test_cards_the_connector_creates_are_still_not_offered(self):
        self.imported([{"name": "Imported"}])

        self.assertFalse(self.jobs("_job_export_new_cards"))


class TestSeveralModelsHeld(ConnectorCase):
    """A container declaring the records of two models (a tuple of ``HeldRecords``): each
    model's records follow their own declaration."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Card = cls.env["test.connector.card"]
        cls.board = cls.env["test.connector.board"].create({"name": "Board", "backend_id": cls.backend.id})

    jobs = TestRecordLifecycle.jobs

    def setUp(self):
        super().setUp()
        Board = type(self.env["test.connector.board"])
        holds = (Board._connector_holds, every_record("res.partner"))
        patcher = patch.object(Board, "_connector_holds", holds)
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_a_record_of_the_model_every_board_holds_is_offered_to_the_board(self):
        self.env["res.partner"].create({"name": "New partner"})

        [job] = self.jobs("_job_export_new_cards")
        self.assertEqual(job.payload, {"board_id": self.board.id})

    def test_cards_are_still_held_by_the_board_they_point_at(self):
        self.Card.create({"name": "Loose"})
        self.assertFalse(self.jobs("_job_export_new_cards"))

        self.Card.create({"name": "On the board", "board_id": self.board.id})
        self.assertEqual(len(self.jobs("_job_export_new_cards")), 1)

    def test_a_structure_field_of_one_model_is_not_one_of_the_other(self):
        partner = self.env["res.partner"].with_context(**{FROM_CONNECTOR: True}).create({"name": "Bound"})
        partner._connector_bind(self.backend, "card", "c-1")
        binding = partner._connector_bindings(self.backend)
        binding.export_hash = "last export"

        partner.parent_id = self.env["res.partner"].create({"name": "Company", "is_company": True})

        self.assertEqual(binding.export_hash, "last export", "parent_id is a structure field of cards only")
        self.assertFalse(self.jobs("_job_export_record"))
