from odoo.addons.connector_base.tests.common import ConnectorCase


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


class TestBatchedExport(ConnectorCase):
    """Backends writing several records per call: one batch job sends the export jobs of a type."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.batch_backend = cls.env["test.connector.batch.backend"].create(
            {"name": "Batch backend", "refused_ids": ["c-2"]}
        )
        cls.env["connector.field.mapping"]._ensure_defaults(
            cls.batch_backend,
            "contact",
            "res.partner",
            [{"odoo_field": "name", "external_field": "fullName", "converter": "text", "direction": "both"}],
        )
        cls.partners = cls.env["res.partner"].create([{"name": f"Partner {index}"} for index in range(5)])
        for index, partner in enumerate(cls.partners):
            partner._connector_bind(cls.batch_backend, "contact", f"c-{index}")

    def jobs(self, method_name):
        return self.env["connector.sync.job"].search(
            [
                ("backend_model", "=", self.batch_backend._name),
                ("backend_id", "=", self.batch_backend.id),
                ("method_name", "=", method_name),
            ]
        )

    def test_export_jobs_go_out_in_batches_and_a_refused_record_fails_alone(self):
        for partner in self.partners:
            partner.name += " (edited)"
        [batch_job] = self.jobs("_job_export_batch")
        self.assertLess(batch_job.priority, self.jobs("_job_export_record")[0].priority, "runs first")

        result = self.batch_backend._job_export_batch(batch_job)

        self.assertEqual(self.batch_backend.export_calls, [["c-0", "c-1"], ["c-2", "c-3"], ["c-4"]])
        self.assertEqual((result["updated"], result["skipped"]), (4, 0))
        self.env.invalidate_all()
        states = {job.payload["binding_id"]: job for job in self.jobs("_job_export_record")}
        for index, partner in enumerate(self.partners):
            job = states[partner.connector_binding_ids.id]
            if index == 2:
                self.assertEqual(job.state, "failed")
                self.assertIn("the platform refused c-2", job.error_message)
            else:
                self.assertEqual(job.state, "done")

        # Exported content is remembered: a write of the same values sends nothing.
        for partner in self.partners[:2]:
            partner.name = partner.name
        self.assertEqual(len(self.jobs("_job_export_record").filtered(lambda job: job.state == "pending")), 2)
        self.batch_backend.export_calls = []
        result = self.batch_backend._job_export_batch(batch_job)
        self.assertEqual((result["updated"], result["skipped"]), (0, 2))
        self.assertFalse(self.batch_backend.export_calls)

    def test_a_claim_takes_one_batch_whatever_plan_postgresql_picks(self):
        for partner in self.partners:
            partner.name += " (edited)"
        # The plan PostgreSQL may choose on its own statistics: a nested loop that
        # rescans the locking subquery for every row of the table.
        for setting in ("hashagg", "hashjoin", "mergejoin", "sort", "material"):
            self.env.cr.execute(f"SET LOCAL enable_{setting} = off")
            self.addCleanup(self.env.cr.execute, f"RESET enable_{setting}")

        claimed = self.batch_backend._claim_export_jobs("contact")

        self.assertEqual(len(claimed), 2)
        self.assertEqual(len(self.jobs("_job_export_record").filtered(lambda job: job.state == "running")), 2)
