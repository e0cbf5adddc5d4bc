from odoo.addons.connector_base.lib.sync import FROM_CONNECTOR, content_hash
from odoo.addons.connector_base.tests.common import ConnectorCase


class TestReconciliation(ConnectorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Difference = cls.env["connector.reconcile.difference"]
        items = [{"external_id": f"p{i}", "values": {"name": f"Partner {i}"}} for i in range(3)]
        cls.env["res.partner"]._connector_upsert(cls.backend, "contact", items)
        cls.hashes = {item["external_id"]: content_hash(item["values"]) for item in items}

    def reconcile(self, snapshot):
        self.backend.platform_snapshot = {"contact": snapshot}
        job = self.backend._connector_enqueue(
            "_job_reconcile", {"external_type": "contact"}, kind="reconcile"
        )
        return self.backend._job_reconcile(job)

    def differences(self):
        return self.Difference.search([("backend_id", "=", self.backend.id), ("state", "=", "open")])

    def test_reconciliation_lists_what_differs_and_nothing_else(self):
        result = self.reconcile({"p0": self.hashes["p0"], "p1": "changed-on-platform", "p9": "new"})
        found = {(d.external_id, d.kind) for d in self.differences()}
        self.assertEqual(found, {("p1", "content"), ("p2", "missing_on_platform"), ("p9", "missing_in_odoo")})
        self.assertIn("3 difference(s)", result["summary"])

    def test_a_windowed_snapshot_compares_only_the_bindings_it_covers(self):
        self.backend.platform_scope = {"contact": ["p0", "p1"]}

        self.reconcile({"p0": self.hashes["p0"], "p9": "new"})

        found = {(d.external_id, d.kind) for d in self.differences()}
        self.assertEqual(found, {("p1", "missing_on_platform"), ("p9", "missing_in_odoo")}, "p2 is outside")

    def test_a_record_changed_in_odoo_and_never_exported_is_listed_until_an_export_is_pending(self):
        partner = self.env["res.partner"]._connector_find(self.backend, "contact", ["p1"])["p1"]
        partner.with_context(**{FROM_CONNECTOR: True}).name = "Renamed in Odoo only"

        self.reconcile(dict(self.hashes))

        self.assertEqual({(d.external_id, d.kind) for d in self.differences()}, {("p1", "changed_in_odoo")})
        self.differences().action_reexport()
        self.reconcile(dict(self.hashes))
        self.assertFalse(self.differences(), "its export is queued: nothing to report")

    def test_a_reimport_lets_the_platform_version_win(self):
        self.reconcile({**self.hashes, "p0": "changed-on-platform"})
        [difference] = self.differences()
        binding = difference.binding_id

        difference.action_reimport()

        self.assertFalse(binding.content_hash, "the next import is not skipped as unchanged")
        self.assertFalse(binding.synced_values, "nothing synced to compare with: the platform's values win")

    def test_a_new_run_replaces_the_open_differences(self):
        self.reconcile({"p0": "x", "p1": self.hashes["p1"], "p2": self.hashes["p2"]})
        first = self.differences()
        self.reconcile(dict(self.hashes))
        self.assertFalse(self.differences())
        self.assertEqual(set(first.mapped("state")), {"gone"})

    def test_actions_reimport_reexport_and_unbind(self):
        self.reconcile({"p0": "x", "p1": self.hashes["p1"], "p9": "new"})
        by_id = {d.external_id: d for d in self.differences()}
        by_id["p9"].action_reimport()
        job = self.env["connector.sync.job"].search([("method_name", "=", "_job_import_record")])
        self.assertEqual(job.payload, {"external_type": "contact", "external_id": "p9"})
        by_id["p0"].action_reexport()
        export = self.env["connector.sync.job"].search([("method_name", "=", "_job_export_record")])
        self.assertEqual(export.payload, {"binding_id": by_id["p0"].binding_id.id})
        p2 = by_id["p2"]
        binding = p2.binding_id
        p2.action_unbind()
        self.assertFalse(binding.exists())
        self.assertEqual(p2.state, "unbound")

    def test_the_daily_cron_queues_one_job_per_backend_and_type(self):
        self.backend.platform_snapshot = {"contact": {}, "company": {}}
        self.env["connector.backend.mixin"]._cron_reconcile_backends()
        self.env["connector.backend.mixin"]._cron_reconcile_backends()
        jobs = self.env["connector.sync.job"].search(
            [("backend_id", "=", self.backend.id), ("method_name", "=", "_job_reconcile")]
        )
        self.assertEqual(sorted(jobs.mapped("object_type")), ["company", "contact"])

    def test_reconciliation_views_load(self):
        for view_type in ("list", "search"):
            self.Difference.get_views([(False, view_type)])

    def test_a_connector_comparing_both_sides_decides_instead_of_the_hash(self):
        snapshot = [
            ("p0", self.hashes["p0"], True),  # changed in Odoo only
            ("p1", "changed-on-platform", False),  # Odoo already holds the platform's values
            ("p2", "changed-on-platform"),  # no comparison: the hash decides
        ]

        self.Difference._reconcile(self.backend, "contact", snapshot)

        found = {(d.external_id, d.kind) for d in self.differences()}
        self.assertEqual(found, {("p0", "content"), ("p2", "content")})
