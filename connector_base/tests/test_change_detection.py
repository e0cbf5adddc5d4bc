from .common import ConnectorCase


class TestChangeDetection(ConnectorCase):
    """Writes to exported fields of bound records go out once; the connector's own never do."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["connector.field.mapping"]._ensure_defaults(
            cls.backend,
            "contact",
            "res.partner",
            [
                {
                    "odoo_field": "name",
                    "external_field": "fullName",
                    "converter": "text",
                    "direction": "both",
                },
                {"odoo_field": "phone", "external_field": "phone", "converter": "text", "direction": "both"},
                {
                    "odoo_field": "comment",
                    "external_field": "notes",
                    "converter": "html",
                    "direction": "import",
                },
            ],
        )
        cls.partner = cls.env["res.partner"].create({"name": "Ada", "phone": "1"})
        cls.partner._connector_bind(cls.backend, "contact", "c-1")

    def export_jobs(self):
        return self.env["connector.sync.job"].search(
            [("backend_id", "=", self.backend.id), ("method_name", "=", "_job_export_record")]
        )

    def test_a_change_to_an_exported_field_queues_one_export(self):
        self.partner.name = "Ada Lovelace"
        self.partner.phone = "2"
        jobs = self.export_jobs()
        self.assertEqual(len(jobs), 1, "two writes, one pending export")
        self.assertEqual(jobs.kind, "export")
        self.assertEqual(jobs.payload, {"binding_id": self.partner.connector_binding_ids.id})

    def test_changes_to_other_fields_or_by_the_connector_queue_nothing(self):
        self.partner.comment = "<p>import-only field</p>"
        self.partner.email = "ada@example.com"
        self.partner.with_context(from_connector=True).name = "Written by the connector"
        self.assertFalse(self.export_jobs())

    def test_unbound_records_are_not_exported(self):
        self.env["res.partner"].create({"name": "Unbound"}).name = "Still unbound"
        self.assertFalse(self.export_jobs())

    def test_the_export_sends_mapped_values_once_and_skips_unchanged_content(self):
        self.partner.name = "Ada Lovelace"
        job = self.export_jobs()
        self.assertEqual(self.backend._job_export_record(job), {"updated": 1})
        self.assertEqual(
            self.backend.exported, [{"external_id": "c-1", "fullName": "Ada Lovelace", "phone": "1"}]
        )
        self.assertEqual(self.backend._job_export_record(job), {"skipped": 1}, "same content, no API call")
        self.assertEqual(len(self.backend.exported), 1)
