from unittest.mock import patch

from odoo.addons.connector_base.tests.common import ConnectorCase


class TestBindingHelpers(ConnectorCase):
    """The bindings of some records, and the records of some external ids, in one query each."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.env["test.connector.backend"].create({"name": "Other backend"})
        cls.partners = cls.env["res.partner"].create(
            [{"name": "Ada"}, {"name": "Grace"}, {"name": "Unbound"}]
        )
        ada, grace, _unbound = cls.partners
        Binding = cls.env["connector.external.binding"]
        Binding._bind(cls.backend, "contact", {"p-1": ada, "p-2": grace})
        Binding._bind(cls.backend, "user", {"u-1": ada})
        Binding._bind(cls.other, "contact", {"p-1": grace})

    def test_the_bindings_of_records_for_a_backend_and_type(self):
        Binding = self.env["connector.external.binding"]
        ada, grace, unbound = self.partners

        with self.assertQueryCount(1):
            bindings = Binding._of_records(self.partners, self.backend, "contact")
            pairs = sorted((binding.res_id, binding.external_id) for binding in bindings)
        self.assertEqual(pairs, [(ada.id, "p-1"), (grace.id, "p-2")])
        self.assertEqual(len(Binding._of_records(ada, self.backend)), 2, "every type when none is given")
        self.assertEqual(len(Binding._of_records(grace)), 2, "every backend when none is given")
        self.assertEqual(
            len(Binding._of_records(grace, self.env["test.connector.backend"])),
            2,
            "an empty backend recordset means every backend of its model",
        )
        self.assertEqual(len(Binding._of_records(ada, self.backend, ["contact", "user"])), 2)
        self.assertFalse(Binding._of_records(unbound))
        self.assertEqual(ada._connector_bindings(self.backend, "user").external_id, "u-1")

    def test_the_records_of_external_ids(self):
        ada, grace, _unbound = self.partners
        Partner = self.env["res.partner"]

        with self.assertQueryCount(1):
            found = Partner._connector_find(self.backend, "contact", ["p-1", "p-2", "p-404"])
        self.assertEqual(found, {"p-1": ada, "p-2": grace})
        self.assertEqual(Partner._connector_find(self.other, "contact", ["p-1"]), {"p-1": grace})
        self.assertEqual(
            self.env["connector.external.binding"]
            ._of_external_ids(self.backend, "contact")
            .mapped("external_id"),
            ["p-2", "p-1"],
            "every binding of the type when no ids are given",
        )

    def test_versions_last_synced_are_read_and_recorded_in_one_query_each(self):
        Binding = self.env["connector.external.binding"]

        with self.assertQueryCount(1):
            Binding._set_external_versions(self.backend, "contact", {"p-1": 40, "p-2": "7"})
        with self.assertQueryCount(1):
            versions = Binding._external_versions(self.backend, "contact", ["p-1", "p-2", "p-9"])

        self.assertEqual(versions, {"p-1": "40", "p-2": "7"})
        self.assertEqual(Binding._external_versions(self.other, "contact", ["p-1"]), {"p-1": None})

    def test_a_version_already_recorded_is_not_written_again(self):
        Binding = self.env["connector.external.binding"]
        Binding._set_external_versions(self.backend, "contact", {"p-1": 40})
        self.env.flush_all()

        Binding._set_external_versions(self.backend, "contact", {"p-1": 40, "p-2": 3})

        self.assertEqual(self.env.cr.rowcount, 1, "only the binding whose version moved")

    def test_an_upsert_stores_the_version_read_on_the_bindings_it_creates(self):
        Binding = self.env["connector.external.binding"]
        self.env["res.partner"]._connector_upsert(
            self.backend,
            "contact",
            [
                {"external_id": "p-10", "values": {"name": "Hedy"}, "external_version": 5},
                {"external_id": "p-11", "values": {"name": "Alan"}},
            ],
        )

        self.assertEqual(
            Binding._external_versions(self.backend, "contact", ["p-10", "p-11"]), {"p-10": "5", "p-11": None}
        )
        Binding._set_external_versions(self.backend, "contact", {"p-10": 5})
        self.assertEqual(self.env.cr.rowcount, 0, "nothing left to write")

    def test_an_upsert_given_the_callers_lookup_makes_none_and_names_what_it_created(self):
        Binding = self.env["connector.external.binding"]
        ada, _grace, _unbound = self.partners
        bound = Binding._lookup(self.backend, "contact", ["p-1", "p-2", "p-20"])

        with patch.object(type(Binding), "_lookup", side_effect=AssertionError("looked up again")):
            result = self.env["res.partner"]._connector_upsert(
                self.backend,
                "contact",
                [
                    {"external_id": "p-1", "values": {"name": "Ada Lovelace"}},
                    {"external_id": "p-20", "values": {"name": "Hedy"}, "external_version": 2},
                ],
                bound=bound,
            )

        self.assertEqual((result.created, result.updated, result.skipped), (1, 1, 0), "p-2 is not an item")
        self.assertEqual(result.created_ids, {"p-20"})
        self.assertEqual(ada.name, "Ada Lovelace")
        hedy = self.env["res.partner"]._connector_find(self.backend, "contact", ["p-20"])["p-20"]
        self.assertEqual(hedy.name, "Hedy")
        self.assertEqual(Binding._external_versions(self.backend, "contact", ["p-20"]), {"p-20": "2"})

    def test_the_fields_an_open_conflict_holds(self):
        [binding] = self.env["connector.external.binding"]._of_external_ids(self.backend, "contact", ["p-1"])
        Conflict = self.env["connector.sync.conflict"]
        Conflict.create({"binding_id": binding.id, "field_name": "name"})
        Conflict.create({"binding_id": binding.id, "field_name": "email", "state": "odoo"})

        self.assertEqual(binding._held_fields(), {"name"})

    def test_deleting_a_backend_removes_its_bindings_only(self):
        Binding = self.env["connector.external.binding"]
        ada, grace, _unbound = self.partners

        self.other.unlink()

        self.assertFalse(Binding._of_records(grace, self.env["test.connector.backend"].browse(self.other.id)))
        self.assertEqual(len(Binding._of_records(ada | grace, self.backend)), 3)
