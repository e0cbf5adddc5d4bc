from unittest.mock import patch

import psycopg2

from odoo.tools import mute_logger

from odoo.addons.connector_base.lib.errors import ValidationError
from odoo.addons.connector_base.tests.common import ConnectorCase


def partner_items(count, suffix=""):
    return [
        {"external_id": f"p{index}", "values": {"name": f"Partner {index}{suffix}", "ref": f"P{index}"}}
        for index in range(count)
    ]


class TestExternalBinding(ConnectorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Partner = cls.env["res.partner"]
        cls.Binding = cls.env["connector.external.binding"]
        cls.other_backend = cls.env["test.connector.backend"].create({"name": "Second backend"})

    def test_upsert_creates_records_and_their_bindings(self):
        result = self.Partner._connector_upsert(self.backend, "contact", partner_items(3))
        self.assertEqual((result.created, result.updated, result.skipped), (3, 0, 0))
        found = self.Partner._connector_find(self.backend, "contact", ["p0", "p1", "p2", "missing"])
        self.assertEqual(sorted(found), ["p0", "p1", "p2"])
        self.assertEqual(found["p1"].name, "Partner 1")
        self.assertEqual(found["p1"].connector_binding_ids.external_id, "p1")

    def test_upsert_of_the_same_payload_twice_writes_nothing_the_second_time(self):
        self.Partner._connector_upsert(self.backend, "contact", partner_items(3))
        self.env.flush_all()
        partners = self.Partner.browse(
            [p.id for p in self.Partner._connector_find(self.backend, "contact", ["p0", "p1", "p2"]).values()]
        )
        self.env.cr.execute("SELECT max(write_date) FROM res_partner WHERE id = ANY(%s)", [partners.ids])
        written = self.env.cr.fetchone()[0]
        self.env.cr.execute("SELECT max(write_date) FROM connector_external_binding")
        bound = self.env.cr.fetchone()[0]
        queries_before = self.env.cr.sql_log_count
        again = self.Partner._connector_upsert(self.backend, "contact", partner_items(3))
        self.env.flush_all()
        self.assertEqual((again.created, again.updated, again.skipped), (0, 0, 3))
        self.assertEqual(self.env.cr.sql_log_count - queries_before, 1, "only the binding lookup")
        self.env.cr.execute("SELECT max(write_date) FROM res_partner WHERE id = ANY(%s)", [partners.ids])
        self.assertEqual(self.env.cr.fetchone()[0], written)
        self.env.cr.execute("SELECT max(write_date) FROM connector_external_binding")
        self.assertEqual(self.env.cr.fetchone()[0], bound)

    def test_upsert_updates_only_records_whose_content_changed(self):
        self.Partner._connector_upsert(self.backend, "contact", partner_items(3))
        items = partner_items(3)
        items[1]["values"]["name"] = "Renamed"
        result = self.Partner._connector_upsert(self.backend, "contact", items)
        self.assertEqual((result.created, result.updated, result.skipped), (0, 1, 2))
        self.assertEqual(self.Partner._connector_find(self.backend, "contact", ["p1"])["p1"].name, "Renamed")

    def test_an_import_only_upsert_keeps_no_synced_values_and_still_skips_what_is_unchanged(self):
        self.Partner._connector_upsert(self.backend, "contact", partner_items(2))
        self.Partner._connector_upsert(self.backend, "note", partner_items(2), keep_synced_values=False)
        items = partner_items(2)
        items[1]["values"]["name"] = "Renamed"

        result = self.Partner._connector_upsert(self.backend, "note", items, keep_synced_values=False)

        self.assertEqual((result.created, result.updated, result.skipped), (0, 1, 1))
        notes = self.Binding._of_external_ids(self.backend, "note")
        self.assertEqual(len(notes), 2)
        self.assertFalse(any(notes.mapped("synced_values")), "neither on create nor on update")
        self.assertTrue(all(notes.mapped("content_hash")))
        contacts = self.Binding._of_external_ids(self.backend, "contact")
        self.assertTrue(all(contacts.mapped("synced_values")), "kept by default")

    def test_upsert_writes_only_the_values_the_record_does_not_hold_yet(self):
        self.Partner._connector_upsert(self.backend, "contact", partner_items(3))
        partner = self.Partner._connector_find(self.backend, "contact", ["p0"])["p0"]
        # Odoo already holds the new name (as after its own export), and one more value changed.
        partner.with_context(from_connector=True).name = "Partner 0 (Odoo)"
        items = partner_items(1, " (Odoo)")
        items[0]["values"]["ref"] = "P0-new"
        with patch.object(
            type(self.Partner), "write", autospec=True, side_effect=type(self.Partner).write
        ) as write:
            result = self.Partner._connector_upsert(self.backend, "contact", items)
        self.assertEqual(result.updated, 1)
        self.assertEqual([call.args[1] for call in write.call_args_list], [{"ref": "P0-new"}])
        # Nothing differs: no write at all, and the hash moves on so the next read skips it.
        with patch.object(
            type(self.Partner), "write", autospec=True, side_effect=type(self.Partner).write
        ) as write:
            partner.with_context(from_connector=True).ref = "P0-odoo"
            write.reset_mock()
            items[0]["values"]["ref"] = "P0-odoo"
            self.assertEqual(self.Partner._connector_upsert(self.backend, "contact", items).updated, 1)
            self.assertFalse(write.called)
            self.assertEqual(self.Partner._connector_upsert(self.backend, "contact", items).skipped, 1)

    def test_upsert_writes_with_the_from_connector_context(self):
        seen = []
        original_create = type(self.Partner).create

        def spy_create(records, vals_list):
            seen.append(records.env.context.get("from_connector"))
            return original_create(records, vals_list)

        with self.patch_create(spy_create):
            self.Partner._connector_upsert(self.backend, "contact", partner_items(1))
        self.assertEqual(seen, [True])

    def patch_create(self, replacement):
        return patch.object(type(self.Partner), "create", replacement)

    def test_upsert_queries_do_not_grow_with_the_batch_for_the_bindings(self):
        def binding_overhead(count, prefix):
            items = [
                {"external_id": f"{prefix}{i}", "values": {"name": f"{prefix} {i}"}} for i in range(count)
            ]
            self.env.flush_all()
            start = self.env.cr.sql_log_count
            self.Partner.with_context(from_connector=True).create([item["values"] for item in items])
            self.env.flush_all()
            raw = self.env.cr.sql_log_count - start
            items = [
                {"external_id": f"{prefix}b{i}", "values": {"name": f"{prefix}b {i}"}} for i in range(count)
            ]
            start = self.env.cr.sql_log_count
            self.Partner._connector_upsert(self.backend, "contact", items)
            self.env.flush_all()
            return self.env.cr.sql_log_count - start - raw

        binding_overhead(5, "warmup")  # first calls fill caches and would skew the count
        self.assertEqual(binding_overhead(10, "small"), binding_overhead(60, "large"))

    def test_one_external_object_maps_to_one_record_per_backend(self):
        first, second = self.Partner.create([{"name": "A"}, {"name": "B"}])
        first._connector_bind(self.backend, "contact", "x1")
        with self.assertRaisesRegex(ValidationError, "already bound"):
            second._connector_bind(self.backend, "contact", "x1")

    def test_one_record_has_one_external_id_per_backend_and_type(self):
        partner = self.Partner.create({"name": "A"})
        partner._connector_bind(self.backend, "contact", "x1")
        with self.assertRaisesRegex(ValidationError, "already bound"):
            partner._connector_bind(self.backend, "contact", "x2")

    def test_the_database_enforces_binding_uniqueness(self):
        partner = self.Partner.create({"name": "A"})
        row = {
            "backend_model": self.backend._name,
            "backend_id": self.backend.id,
            "external_type": "contact",
            "external_id": "x1",
            "res_model": "res.partner",
            "res_id": partner.id,
        }
        self.Binding.create(row)
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.UniqueViolation),
            self.env.cr.savepoint(),
        ):
            self.Binding.create({**row, "res_id": self.Partner.create({"name": "B"}).id})
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.UniqueViolation),
            self.env.cr.savepoint(),
        ):
            self.Binding.create({**row, "external_id": "x2"})

    def test_binding_the_same_pair_twice_is_a_no_op(self):
        partner = self.Partner.create({"name": "A"})
        partner._connector_bind(self.backend, "contact", "x1")
        partner._connector_bind(self.backend, "contact", "x1")
        self.assertEqual(len(partner.connector_binding_ids), 1)

    def test_one_record_may_be_bound_to_several_backends(self):
        partner = self.Partner.create({"name": "A"})
        partner._connector_bind(self.backend, "contact", "x1")
        partner._connector_bind(self.other_backend, "contact", "x1")
        self.assertEqual(len(partner.connector_binding_ids), 2)

    def test_unbind_and_record_deletion_remove_bindings(self):
        self.Partner._connector_upsert(self.backend, "contact", partner_items(2))
        self.assertEqual(self.Partner._connector_unbind(self.backend, "contact", ["p0"]), 1)
        self.assertFalse(self.Partner._connector_find(self.backend, "contact", ["p0"]))
        partner = self.Partner._connector_find(self.backend, "contact", ["p1"])["p1"]
        partner.unlink()
        self.assertFalse(
            self.Binding.search([("res_model", "=", "res.partner"), ("res_id", "=", partner.id)])
        )

    def test_binding_views_load(self):
        for view_type in ("list", "form", "search"):
            self.Binding.get_views([(False, view_type)])
