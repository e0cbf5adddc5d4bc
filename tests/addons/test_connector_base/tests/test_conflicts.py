from datetime import datetime, timedelta

from odoo.addons.connector_base.tests.common import ConnectorCase


class TestConflicts(ConnectorCase):
    """Both sides changed a field since the last sync: the mapping's authority decides."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Partner = cls.env["res.partner"]
        cls.Conflict = cls.env["connector.sync.conflict"]

    def import_contact(self, authorities, **values):
        item = {"external_id": "c1", "values": {"name": "Original", "phone": "100", **values}}
        if "external_updated_at" in values:
            item["external_updated_at"] = item["values"].pop("external_updated_at")
        return self.Partner._connector_upsert(self.backend, "contact", [item], authorities=authorities)

    def partner(self):
        return self.Partner._connector_find(self.backend, "contact", ["c1"])["c1"]

    def test_a_change_on_one_side_only_is_applied_without_conflict(self):
        self.import_contact({"name": ""})
        self.partner().phone = "200"  # Odoo changed the phone
        self.import_contact({"name": ""}, name="Renamed on the platform")
        self.assertEqual(self.partner().name, "Renamed on the platform")
        self.assertEqual(self.partner().phone, "200", "the platform did not change the phone: Odoo's stays")
        self.assertFalse(self.Conflict.search([]))

    def test_without_authority_a_both_sides_change_waits_for_a_person(self):
        self.import_contact({"name": ""})
        self.partner().name = "Renamed in Odoo"
        self.import_contact({"name": ""}, name="Renamed on the platform", phone="300")
        self.assertEqual(self.partner().name, "Renamed in Odoo", "never silently overwritten")
        self.assertEqual(self.partner().phone, "300", "the other fields still sync")
        conflict = self.Conflict.search([("field_name", "=", "name")])
        self.assertRecordValues(
            conflict,
            [{"state": "open", "odoo_value": "Renamed in Odoo", "external_value": "Renamed on the platform"}],
        )
        self.import_contact({"name": ""}, name="Renamed again on the platform", phone="300")
        self.assertEqual(len(self.Conflict.search([])), 1, "one open conflict per field")
        self.assertEqual(self.Conflict.search([]).external_value, "Renamed again on the platform")

    def test_a_person_resolves_a_conflict_either_way(self):
        self.import_contact({"name": ""})
        self.partner().name = "Odoo name"
        self.import_contact({"name": ""}, name="Platform name")
        conflict = self.Conflict.search([])
        conflict.action_keep_platform()
        self.assertEqual(self.partner().name, "Platform name")
        self.assertEqual(conflict.state, "platform")
        self.partner().name = "Odoo again"
        self.import_contact({"name": ""}, name="Platform again")
        second = self.Conflict.search([("state", "=", "open")])
        second.action_keep_odoo()
        self.assertEqual(second.state, "odoo")
        export = self.env["connector.sync.job"].search([("method_name", "=", "_job_export_record")])
        self.assertEqual(export.payload["binding_id"], second.binding_id.id)

    def test_platform_authority_overwrites_and_odoo_authority_exports(self):
        self.import_contact({"name": "platform", "phone": "odoo"})
        partner = self.partner()
        partner.write({"name": "Odoo name", "phone": "999"})
        self.import_contact({"name": "platform", "phone": "odoo"}, name="Platform name", phone="111")
        self.assertEqual(partner.name, "Platform name")
        self.assertEqual(partner.phone, "999")
        self.assertFalse(self.Conflict.search([]))
        export = self.env["connector.sync.job"].search([("method_name", "=", "_job_export_record")])
        self.assertEqual(len(export), 1, "Odoo's phone goes back to the platform")

    def test_newest_authority_compares_modification_times(self):
        self.import_contact({"name": "newest"})
        self.partner().name = "Odoo name"
        self.env.flush_all()
        older = datetime.now() - timedelta(days=1)
        self.import_contact({"name": "newest"}, name="Stale platform name", external_updated_at=older)
        self.assertEqual(self.partner().name, "Odoo name")
        newer = datetime.now() + timedelta(minutes=5)
        self.import_contact({"name": "newest"}, name="Fresh platform name", external_updated_at=newer)
        self.assertEqual(self.partner().name, "Fresh platform name")

    def test_conflict_views_load(self):
        for view_type in ("list", "search"):
            self.Conflict.get_views([(False, view_type)])
