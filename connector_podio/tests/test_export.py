from odoo.addons.connector_podio.tests.emulator import email_values, text_value

from .common import PodioCase


class ExportCase(PodioCase):
    """The sample app linked both ways and imported, its hooks active."""

    def setUp(self):
        super().setUp()
        self.connect()
        self.app = self.link_app()
        self.app.direction = "both"
        self.verify_hooks()
        self.ana_item = self.sample_item("Ana Silva")
        self.ana = self.partner_of(self.ana_item)

    def item_values(self, item_id, field):
        return self.podio.items[item_id]["_values"].get(field)

    def puts(self):
        return [entry for entry in self.podio.requests if entry.method == "PUT"]

    def conflicts(self):
        return self.env["connector.sync.conflict"].search([("binding_id.res_id", "=", self.ana.id)])


class TestExport(ExportCase):
    """Partners changed in Odoo written back to their items, and the hooks of those writes."""

    def test_a_partner_changed_in_odoo_is_written_to_its_item_naming_the_revision(self):
        revision = self.podio.items[self.ana_item]["current_revision"]["revision"]

        self.ana.write({"name": "Ana Sousa", "mobile": "+351 919 999 999"})
        self.run_jobs()

        self.assertEqual(self.item_values(self.ana_item, "title"), [{"value": "Ana Sousa"}])
        self.assertEqual(
            self.item_values(self.ana_item, "phone"),
            [{"type": "mobile", "value": "+351 919 999 999"}, {"type": "work", "value": "+351 213 000 111"}],
        )
        [put] = self.puts()
        self.assertEqual(put.json["revision"], revision)
        self.assertEqual(sorted(put.json["fields"]), ["phone", "title"], "only what changed")
        self.assertEqual(self.podio.items[self.ana_item]["current_revision"]["revision"], revision + 1)
        self.assertFalse(self.jobs(state="failed"))

    def test_the_hook_of_the_connector_s_own_write_is_dropped_by_its_revision(self):
        self.ana.name = "Ana Sousa"
        self.run_jobs()
        self.assertEqual([delivery.type for delivery in self.podio.outbox], ["item.update"])
        written_at = self.ana.write_date

        self.assertEqual(self.deliver(), [200])
        [event] = self.run_jobs()

        self.assertEqual(event.method_name, "_job_item_event")
        self.assertEqual(
            (event.state, event.result_summary),
            ("done", "1 item(s) already synced at their revision."),
        )
        self.assertEqual(self.ana.write_date, written_at, "the partner is not written again")
        self.assertEqual(len(self.puts()), 1, "and nothing goes back to Podio")

    def test_the_echo_is_recognised_when_podio_answers_the_write_with_a_revision_id(self):
        # The docs call the answer's "revision" the revision's id: it is not relied on.
        self.podio.write_answers_revision_id = True
        self.ana.name = "Ana Sousa"
        self.run_jobs()

        self.deliver()
        [event] = self.run_jobs()

        self.assertIn("already synced", event.result_summary)

    def test_a_later_podio_edit_after_our_write_is_imported(self):
        self.ana.name = "Ana Sousa"
        self.run_jobs()
        self.podio.update_item(self.ana_item, {"title": text_value("Ana Sousa Silva")})

        self.deliver()
        self.run_jobs()

        self.assertEqual(self.ana.name, "Ana Sousa Silva")
        self.assertEqual(len(self.puts()), 1)

    def test_muting_hooks_is_a_choice_a_person_makes(self):
        self.backend.export_mutes_hooks = True

        self.ana.name = "Ana Sousa"
        self.run_jobs()

        [put] = self.puts()
        self.assertEqual(put.query.get("hook"), "false")
        self.assertEqual(self.podio.outbox, [], "every hook of that write is muted")

    def test_an_app_linked_for_import_only_is_never_written(self):
        self.app.direction = "import"

        self.ana.name = "Ana Sousa"
        self.run_jobs()

        self.assertEqual(self.puts(), [])
        self.assertEqual(self.item_values(self.ana_item, "title"), [{"value": "Ana Silva"}])


class TestConcurrentEdits(ExportCase):
    """The item changed in Podio since the last sync when the export runs."""

    def test_the_same_field_changed_on_both_sides_becomes_a_conflict_and_nothing_is_overwritten(self):
        self.podio.update_item(self.ana_item, {"title": text_value("Ana S. (Podio)")})
        self.podio.outbox.clear()  # its hook is late: the export comes first

        self.ana.name = "Ana (Odoo)"
        self.run_jobs()

        conflict = self.conflicts()
        self.assertEqual(
            (conflict.field_name, conflict.state, conflict.odoo_value, conflict.external_value),
            ("name", "open", "Ana (Odoo)", "Ana S. (Podio)"),
        )
        self.assertEqual(self.ana.name, "Ana (Odoo)")
        self.assertEqual(self.item_values(self.ana_item, "title"), [{"value": "Ana S. (Podio)"}])
        self.assertEqual(self.puts(), [])

    def test_a_conflict_kept_for_odoo_is_then_written(self):
        self.podio.update_item(self.ana_item, {"title": text_value("Ana S. (Podio)")})
        self.ana.name = "Ana (Odoo)"
        self.run_jobs()
        conflict = self.conflicts()

        conflict.action_keep_odoo()
        self.run_jobs()

        self.assertEqual(self.item_values(self.ana_item, "title"), [{"value": "Ana (Odoo)"}])

    def test_the_mapping_s_authority_decides_a_field_both_sides_changed(self):
        mapping = self.env["connector.field.mapping"].search(
            [
                ("backend_id", "=", self.backend.id),
                ("odoo_field", "=", "name"),
                ("odoo_model", "=", "res.partner"),
            ]
        )
        mapping.authority = "platform"
        self.podio.update_item(self.ana_item, {"title": text_value("Ana S. (Podio)")})

        self.ana.name = "Ana (Odoo)"
        self.run_jobs()

        self.assertEqual(self.ana.name, "Ana S. (Podio)")
        self.assertFalse(self.conflicts())
        self.assertEqual(self.puts(), [])

    def test_different_fields_changed_on_each_side_are_both_kept(self):
        self.podio.update_item(self.ana_item, {"email": email_values(("work", "ana@podio.example"))})

        self.ana.name = "Ana (Odoo)"
        self.run_jobs()

        self.assertEqual(self.ana.email, "ana@podio.example")
        self.assertEqual(self.item_values(self.ana_item, "title"), [{"value": "Ana (Odoo)"}])
        self.assertEqual(
            self.item_values(self.ana_item, "email"), [{"type": "work", "value": "ana@podio.example"}]
        )
        self.assertFalse(self.conflicts())

    def test_an_edit_between_reading_and_writing_answers_409_and_the_job_tries_again(self):
        self.podio.faults.add(409, route="/item/{item_id}", method="PUT")

        self.ana.name = "Ana (Odoo)"
        self.run_jobs()

        [export] = self.jobs(method_name="_job_export_record")
        self.assertEqual((export.state, export.attempts), ("pending", 1))
        self.assertEqual(self.item_values(self.ana_item, "title"), [{"value": "Ana Silva"}])
