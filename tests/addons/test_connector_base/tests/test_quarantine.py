from odoo.tests import TransactionCase

from odoo.addons.connector_base.tests.common import run_jobs

CARDS = {
    "c1": {"id": "c1", "title": "", "parent": None},
    "c2": {"id": "c2", "title": "Child", "parent": "c1"},
    "c3": {"id": "c3", "title": "Grandchild", "parent": "c2"},
    "c4": {"id": "c4", "title": "Alone", "parent": None},
}


class TestQuarantine(TransactionCase):
    """One quarantine for every connector: set aside, listed with a count, retried with its family."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = cls.env["test.connector.backend"].create({"name": "Cards", "platform_cards": CARDS})
        cls.env["connector.field.mapping"].create(
            {
                "backend_model": cls.backend._name,
                "backend_id": cls.backend.id,
                "external_type": "card",
                "model_id": cls.env["ir.model"]._get_id("test.connector.card"),
                "field_id": cls.env["ir.model.fields"]._get("test.connector.card", "name").id,
                "external_field": "title",
                "external_label": "Title",
                "required": True,
            }
        )

    def run_jobs(self):
        return run_jobs(self.backend)

    def cards(self):
        """{card id: card record} of the cards in Odoo."""
        return self.env["connector.external.binding"]._find(
            self.backend, "card", "test.connector.card", list(CARDS)
        )

    def import_all(self):
        self.backend._connector_enqueue("_job_import_cards")
        self.run_jobs()

    def fix_first_card(self):
        self.backend.platform_cards = {**CARDS, "c1": {**CARDS["c1"], "title": "Parent"}}

    def test_a_refused_object_is_quarantined_naming_field_and_value_and_its_children_wait(self):
        self.import_all()

        self.assertEqual(sorted(self.cards()), ["c4"])
        entries = self.backend._connector_quarantined("card")
        self.assertEqual(self.backend.quarantine_count, 3)
        by_card = {entry.external_id: entry for entry in entries}
        self.assertEqual(sorted(by_card), ["c1", "c2", "c3"])
        self.assertIn("Title", by_card["c1"].error_message)
        self.assertIn("card c1", by_card["c1"].error_message)
        self.assertIn("Parent", by_card["c2"].error_message)
        self.assertIn("c1", by_card["c2"].error_message)
        self.assertEqual((by_card["c2"].parent_external_id, by_card["c3"].parent_external_id), ("c1", "c2"))
        self.assertEqual(set(entries.mapped("state")), {"failed"})

    def test_retrying_a_fixed_parent_brings_its_children_and_grandchildren_by_themselves(self):
        self.import_all()
        parent = self.backend._connector_quarantined("card").filtered(lambda entry: entry.external_id == "c1")
        self.fix_first_card()

        parent.action_retry()
        self.run_jobs()

        cards = self.cards()
        self.assertEqual(sorted(cards), ["c1", "c2", "c3", "c4"])
        self.assertEqual(cards["c1"].name, "Parent")
        self.assertEqual(cards["c2"].parent_id, cards["c1"])
        self.assertEqual(cards["c3"].parent_id, cards["c2"])
        self.assertEqual(self.backend.quarantine_count, 0)
        self.assertEqual(
            set(self.env["connector.sync.job"].search([("quarantine", "=", True)]).mapped("state")), {"done"}
        )

    def test_the_family_of_an_object_is_what_waits_for_it_down_to_its_grandchildren(self):
        self.import_all()

        self.assertEqual(sorted(self.backend._connector_quarantine_family("card", ["c1"])), ["c2", "c3"])
        self.assertEqual(self.backend._connector_quarantine_family("card", ["c3"]), [])
        self.assertEqual(self.backend._connector_quarantine_family("other", ["c1"]), [])

    def test_a_parent_failing_again_keeps_its_family_waiting(self):
        self.import_all()
        parent = self.backend._connector_quarantined("card").filtered(lambda entry: entry.external_id == "c1")

        parent.action_retry()
        self.run_jobs()

        self.assertEqual(parent.state, "failed")
        self.assertIn("Title", parent.error_message)
        self.assertEqual(self.backend.quarantine_count, 3, "the children were not retried")
        self.assertEqual(sorted(self.cards()), ["c4"])

    def test_retry_all_starts_with_the_objects_waiting_for_nothing(self):
        self.import_all()
        self.fix_first_card()

        self.backend.action_retry_quarantine()
        self.run_jobs()

        self.assertEqual(sorted(self.cards()), ["c1", "c2", "c3", "c4"])
        self.assertEqual(self.backend.quarantine_count, 0)

    def test_a_later_import_taking_the_object_closes_its_entry_and_quarantined_again_replaces_it(self):
        self.import_all()
        self.import_all()  # the same failures: each object keeps one entry
        self.assertEqual(self.backend.quarantine_count, 3)
        self.assertEqual(
            self.env["connector.sync.job"].search_count(
                [*self.backend._job_domain(), ("quarantine", "=", True), ("state", "=", "cancelled")]
            ),
            3,
        )

        self.fix_first_card()
        self.import_all()

        self.assertEqual(sorted(self.cards()), ["c1", "c2", "c3", "c4"])
        self.assertEqual(self.backend.quarantine_count, 0)
        self.assertFalse(
            self.env["connector.sync.job"].search(
                [
                    *self.backend._job_domain(),
                    ("quarantine", "=", True),
                    ("state", "in", ("pending", "failed")),
                ]
            ),
            "closed, not left to run again",
        )

    def test_entries_waiting_for_an_object_bound_by_another_job_are_released_by_the_check_after_commit(self):
        self.import_all()
        # Another job imported c1 meanwhile and did not see the entries waiting for it.
        self.env["connector.external.binding"].create(
            {
                "backend_model": self.backend._name,
                "backend_id": self.backend.id,
                "external_type": "card",
                "external_id": "c1",
                "res_model": "test.connector.card",
                "res_id": self.env["test.connector.card"].create({"name": "Parent"}).id,
            }
        )
        key = ("connector_base.quarantine_recheck", self.backend._name, self.backend.id, "card")
        self.assertEqual(
            self.env.cr.postcommit.data[key], {"c1", "c2"}, "the entries' parents, checked after commit"
        )
        waiting = self.backend._connector_quarantined("card")

        self.assertEqual(self.backend._connector_quarantine_release_bound("card", {"c1", "c2", "c4"}), ["c1"])

        by_card = {entry.external_id: entry.state for entry in waiting}
        self.assertEqual(by_card, {"c1": "failed", "c2": "pending", "c3": "failed"})
        self.fix_first_card()
        self.run_jobs()
        self.assertEqual(sorted(self.cards()), ["c1", "c2", "c3", "c4"], "the family followed")

    def test_the_backend_form_shows_the_quarantine_count_and_opens_the_list(self):
        self.import_all()

        arch = self.env["test.connector.backend"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="action_view_quarantine"', arch)
        self.assertIn('name="quarantine_count"', arch)
        action = self.backend.action_view_quarantine()
        self.assertEqual(
            sorted(self.env["connector.sync.job"].search(action["domain"]).mapped("external_id")),
            ["c1", "c2", "c3"],
        )
