from unittest.mock import patch

from odoo.tools import SQL

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

    def test_a_lookup_probes_the_external_key_however_old_the_statistics(self):
        """Thousands of bindings made in this transaction, which the planner's statistics have
        not seen: each id is still one probe of the external key, not a filter over every
        binding of the type."""
        Binding = self.env["connector.external.binding"]
        partner = self.partners[0]
        # The statistics as a first import finds them: taken before its rows (and not left
        # to whatever the tests before this one made of the table).
        self.env.cr.execute("ANALYZE connector_external_binding")
        Binding._insert(
            self.backend,
            "message",
            "res.partner",
            [(f"m-{number}", partner.id + number, None, None, None) for number in range(3000)],
        )
        wanted = ["m-7", "m-2999", "m-404404"]

        # Sequential scans off: a table left with pages of dead rows by earlier tests and few
        # live ones (a handful of rows in the statistics) prices a full read below any index,
        # whatever the query. The question here is the query's: whether it lets each id be one
        # probe of the key rather than a read of every binding of the type.
        self.env.cr.execute("SET LOCAL enable_seqscan = off")
        try:
            self.env.cr.execute(
                SQL(
                    "EXPLAIN (ANALYZE, FORMAT JSON) SELECT binding.id FROM %s",
                    Binding._probed(self.backend, "message", wanted),
                )
            )
            plan = self.env.cr.fetchone()[0][0]["Plan"]
        finally:
            self.env.cr.execute("RESET enable_seqscan")
        scans = list(_plan_nodes(plan, "connector_external_binding"))

        # An index scan or a bitmap scan of the key: both probe it (which one the planner
        # picks follows the statistics).
        self.assertEqual(
            [_index_read(scan)[0] for scan in scans], ["connector_external_binding_external_unique"], plan
        )
        self.assertIn("external_id", _index_read(scans[0])[1], plan)
        self.assertFalse(scans[0].get("Rows Removed by Filter"), "no binding read to be thrown away")
        found = Binding._lookup(self.backend, "message", wanted)
        self.assertEqual(
            {key: row[1] for key, row in found.items()}, {"m-7": partner.id + 7, "m-2999": partner.id + 2999}
        )

    def test_an_insert_stores_each_row_and_leaves_out_those_already_bound(self):
        Binding = self.env["connector.external.binding"]
        ada, grace, unbound = self.partners
        self.backend.company_id  # noqa: B018  (read before: the insert is what is counted)

        with self.assertQueryCount(1):
            inserted = Binding._insert(
                self.backend,
                "contact",
                "res.partner",
                [
                    ("p-1", ada.id, "h1", None, None),  # bound already
                    ("p-3", unbound.id, "h3", "2026-01-02 03:04:05", {"name": "Unbound"}, 12),
                    ("p-4", grace.id + 1000, None, None, None, None),
                ],
            )

        self.assertEqual(inserted, {"p-3", "p-4"})
        [binding] = Binding._of_external_ids(self.backend, "contact", ["p-3"])
        self.assertEqual(
            (binding.res_model, binding.res_id, binding.content_hash, binding.synced_values),
            ("res.partner", unbound.id, "h3", {"name": "Unbound"}),
        )
        self.assertEqual(str(binding.external_updated_at), "2026-01-02 03:04:05")
        self.assertEqual(binding.external_version, "12")
        self.assertEqual(binding.company_id, self.backend.company_id)
        self.assertTrue(binding.synced_at)
        [other] = Binding._of_external_ids(self.backend, "contact", ["p-4"])
        self.assertFalse(other.synced_values or other.external_version or other.content_hash)

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


def _plan_nodes(plan, relation):
    """The nodes of an EXPLAIN plan (JSON) reading ``relation``."""
    if plan.get("Relation Name") == relation:
        yield plan
    for child in plan.get("Plans", ()):
        yield from _plan_nodes(child, relation)


def _index_read(scan):
    """(index name, index condition) of a scan node; a bitmap heap scan reads its index
    through its child node."""
    if scan["Node Type"] == "Bitmap Heap Scan":
        [scan] = scan["Plans"]
    return scan.get("Index Name"), scan.get("Index Cond", "")
