from datetime import date, datetime

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user
from odoo.tools import mute_logger

from odoo.addons.connector_base.lib.mapping import MappingError
from odoo.addons.connector_base.tests.common import ConnectorCase

TASK = "test.connector.task"


class FieldMappingCase(ConnectorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Mapping = cls.env["connector.field.mapping"]
        cls.Task = cls.env[TASK]
        cls.todo, cls.doing, cls.done = cls.env["test.connector.stage"].create(
            [{"name": "Todo"}, {"name": "Doing"}, {"name": "Done"}]
        )

    def make(self, field_name, external_field, external_type="card", model=TASK, **values):
        return self.Mapping.create(
            {
                "backend_model": self.backend._name,
                "backend_id": self.backend.id,
                "external_type": external_type,
                "model_id": self.env["ir.model"]._get_id(model),
                "field_id": self.env["ir.model.fields"]._get(model, field_name).id,
                "external_field": external_field,
                **values,
            }
        )

    def mapper(self, external_type="card", model=TASK):
        return self.Mapping._get_mapper(self.backend, external_type, model)

    def refused(self, field_name, external_field, **values):
        with self.assertRaises(ValidationError) as caught:
            self.make(field_name, external_field, **values)
        return str(caught.exception)


class TestFieldMappingValidation(FieldMappingCase):
    def test_a_converter_that_does_not_fit_the_field_is_refused_naming_mapping_and_field(self):
        message = self.refused("deadline", "due", external_label="Due date", converter="integer")
        self.assertIn("card: Due date → Deadline (deadline)", message)
        self.assertIn("the integer converter cannot fill a date field (it fills integer)", message)

    def test_a_field_of_another_model_is_refused(self):
        partner_email = self.env["ir.model.fields"]._get("res.partner", "email")
        message = self.refused("name", "title", field_id=partner_email.id)
        self.assertIn("the field email does not exist on test.connector.task", message)

    def test_a_required_odoo_field_without_source_needs_a_default(self):
        message = self.refused("name", False)
        self.assertIn("card: (default) → Name (name)", message)
        self.assertIn(
            "the field name is required in Odoo; without an external field it needs a default", message
        )
        mapping = self.make("name", False, default_value="Imported card", direction="import")
        self.assertEqual(self.mapper().to_odoo({"id": "c1"})[0], {"name": "Imported card"})
        self.assertTrue(mapping.required, "a required Odoo field makes the mapping required")

    def test_a_default_that_does_not_convert_is_refused(self):
        message = self.refused("priority", "rank", default_value="high")
        self.assertIn("card: rank → Priority (priority): the default 'high' is not an integer", message)

    def test_a_computed_field_can_be_exported_but_not_imported(self):
        message = self.refused("name_length", "length", direction="both")
        self.assertIn("the field name_length is computed and cannot be imported", message)
        self.make("name_length", "length", direction="export")

    def test_a_lookup_needs_the_field_it_reads_on_the_target(self):
        message = self.refused("stage_id", "list", lookup_by="email")
        self.assertIn("test.connector.stage has no stored field to find records by email", message)

    def test_two_mappings_cannot_import_into_the_same_field_or_export_to_the_same_column(self):
        self.make("note", "notes")
        message = self.refused("note", "comments")
        self.assertIn("import into the same Odoo field note", message)
        message = self.refused("description", "notes")
        self.assertIn("export to the same platform field notes", message)
        self.make("note", "comments", external_type="row")

    def test_a_selection_value_mapping_must_name_an_option(self):
        message = self.refused(
            "state",
            "status",
            value_mapping_ids=[Command.create({"external_value": "Open", "odoo_value": "wip"})],
        )
        self.assertIn("card: status → State (state), value Open", message)
        self.assertIn("wip is not an option of state (options: draft, open, done)", message)

    def test_a_record_value_mapping_must_name_a_record(self):
        message = self.refused(
            "stage_id", "list", value_mapping_ids=[Command.create({"external_value": "Open"})]
        )
        self.assertIn("value Open: choose the test.connector.stage record it stands for", message)

    def test_value_mappings_only_fit_enumerations(self):
        message = self.refused(
            "priority",
            "rank",
            value_mapping_ids=[Command.create({"external_value": "High", "odoo_value": "3"})],
        )
        self.assertIn("only selections, linked records and tags take value mappings", message)

    def test_the_converter_follows_the_field_type_unless_chosen(self):
        self.assertEqual(self.make("description", "body").converter, "html")
        self.assertEqual(self.make("note", "notes", converter="html").converter, "html")
        self.assertEqual(self.make("deadline", "due").converter, "date")

    def test_a_mapping_takes_the_company_of_its_backend(self):
        other = self.env["res.company"].create({"name": "Other company"})
        self.backend.company_id = other
        self.assertEqual(self.make("note", "notes").company_id, other)


class TestFieldMappingEngine(FieldMappingCase):
    def test_status_value_mappings_give_stage_records_both_ways(self):
        self.make(
            "stage_id",
            "list",
            value_mapping_ids=[
                Command.create({"external_value": "To do", "odoo_record_id": self.todo.id}),
                Command.create({"external_value": "In progress", "odoo_record_id": self.doing.id}),
                Command.create(
                    {"external_value": "Finished", "odoo_record_id": self.done.id, "sequence": 20}
                ),
                Command.create({"external_value": "Closed", "odoo_record_id": self.done.id, "sequence": 30}),
            ],
        )
        mapper = self.mapper()
        self.assertEqual(mapper.to_odoo({"id": "c1", "list": "in progress"})[0], {"stage_id": self.doing.id})
        task = self.Task.create({"name": "T", "stage_id": self.done.id})
        self.assertEqual(mapper.to_external(task), {"list": "Finished"}, "the first line wins")

    def test_selection_value_mappings_and_option_labels(self):
        self.make(
            "state",
            "status",
            value_mapping_ids=[Command.create({"external_value": "WIP", "odoo_value": "open"})],
        )
        batch = self.mapper().to_odoo_batch(
            [{"id": 1, "status": "WIP"}, {"id": 2, "status": "Done"}, {"id": 3, "status": "draft"}]
        )
        self.assertEqual([values["state"] for _record, values in batch.good], ["open", "done", "draft"])
        tasks = self.Task.create([{"name": "A", "state": "open"}, {"name": "B", "state": "done"}])
        self.assertEqual(self.mapper().to_external_batch(tasks), [{"status": "WIP"}, {"status": "Done"}])

    def test_many2one_finds_partners_by_name_email_reference_and_binding(self):
        Partner = self.env["res.partner"]
        ann, bob, cid, dan = Partner.create(
            [
                {"name": "Ann Archer"},
                {"name": "Bob Baker", "email": "Bob@Example.com"},
                {"name": "Cid Cooper", "ref": "C-100"},
                {"name": "Dan Drake"},
            ]
        )
        dan._connector_bind(self.backend, "member", "m-42")
        cases = [
            # lookup, what the platform sends, the partner meant, what an export sends
            ("name", " ann archer ", ann, "Ann Archer"),
            ("email", "bob@example.COM", bob, "Bob@Example.com"),
            ("ref", "C-100", cid, "C-100"),
            ("binding", "m-42", dan, "m-42"),
        ]
        for lookup_by, raw, partner, exported in cases:
            with self.subTest(lookup_by=lookup_by):
                self.make("partner_id", "owner", external_type=f"by_{lookup_by}", lookup_by=lookup_by)
                mapper = self.mapper(f"by_{lookup_by}")
                self.assertEqual(mapper.to_odoo({"id": "c1", "owner": raw})[0], {"partner_id": partner.id})
                task = self.Task.create({"name": "T", "partner_id": partner.id})
                self.assertEqual(mapper.to_external(task), {"owner": exported})
        with self.assertRaises(MappingError) as caught:
            self.mapper("by_email").to_odoo({"id": "c7", "owner": "nobody@example.com"})
        self.assertEqual(
            str(caught.exception),
            "Cannot map by_email c7: field by_email: owner → Partner (partner_id), "
            "value 'nobody@example.com': no res.partner with email 'nobody@example.com'.",
        )

    def test_lookups_cost_the_same_queries_for_one_record_or_many(self):
        partners = self.env["res.partner"].create(
            [{"name": f"P{index}", "email": f"p{index}@example.com"} for index in range(30)]
        )
        self.make("partner_id", "owner", lookup_by="email")
        self.make("tag_ids", "labels", create_missing=True)
        mapper = self.mapper()

        def queries(count):
            records = [
                {"id": index, "owner": f"p{index}@example.com", "labels": ["x"]} for index in range(count)
            ]
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            batch = mapper.to_odoo_batch(records)
            self.assertEqual([values["partner_id"] for _record, values in batch.good], partners[:count].ids)
            return self.env.cr.sql_log_count - before

        queries(1)  # creates the tag "x" once
        self.assertEqual(queries(1), queries(30))

    def test_tags_are_found_by_name_and_created_when_allowed(self):
        vip = self.env["res.partner.category"].create({"name": "VIP"})
        self.make("tag_ids", "labels")
        self.make("tag_ids", "labels", external_type="creating", create_missing=True)
        batch = self.mapper().to_odoo_batch(
            [{"id": 1, "labels": ["vip"]}, {"id": 2, "labels": "VIP, Fresh lead"}]
        )
        self.assertEqual(batch.good[0][1], {"tag_ids": [(6, 0, [vip.id])]})
        self.assertEqual(
            batch.failed[0][1].reason,
            "no res.partner.category with name 'Fresh lead' (creating missing ones is off)",
        )
        records = [{"id": 1, "labels": ["vip", "Fresh lead"]}, {"id": 2, "labels": "fresh lead"}]
        batch = self.mapper("creating").to_odoo_batch(records)
        created = self.env["res.partner.category"].search([("name", "=ilike", "fresh lead")])
        self.assertEqual(created.mapped("name"), ["Fresh lead"], "one tag for both spellings")
        self.assertEqual(
            [values["tag_ids"] for _record, values in batch.good],
            [[(6, 0, [vip.id, created.id])], [(6, 0, [created.id])]],
        )

    def test_plain_text_and_html_convert_both_ways(self):
        self.make("description", "body")
        self.make("note", "html_notes", converter="html")
        values, _warnings = self.mapper().to_odoo(
            {
                "id": 1,
                "body": 'Call <Ann> & "Bob"\n\nTomorrow',
                "html_notes": "<p>Hello <b>team</b></p><p>Bye</p>",
            }
        )
        self.assertEqual(values["description"], '<p>Call &lt;Ann&gt; &amp; "Bob"</p><p>Tomorrow</p>')
        self.assertEqual(values["note"], "Hello team\n\nBye")
        task = self.Task.create({"name": "T", **values})
        self.assertEqual(
            self.mapper().to_external(task),
            {"body": 'Call <Ann> & "Bob"\n\nTomorrow', "html_notes": "<p>Hello team</p><p>Bye</p>"},
        )

    def test_a_task_maps_to_values_the_orm_writes_as_is(self):
        self.make("name", "title")
        self.make("priority", "rank")
        self.make("hours", "hours")
        self.make("amount", "budget")
        self.make("done", "closed")
        self.make("deadline", "due")
        self.make("planned_at", "start", timezone="Europe/Paris")
        with mute_logger("odoo.addons.connector_base.lib.mapping"):
            values, warnings = self.mapper().to_odoo(
                {
                    "id": "c1",
                    "title": "A title longer than twenty characters",
                    "rank": "3",
                    "hours": 1.256,
                    "budget": "$1,200.555",
                    "closed": "yes",
                    "due": "2024-03-01",
                    "start": "2024-07-01 09:30:00",
                }
            )
        self.assertEqual(
            [str(warning) for warning in warnings], ["card c1, field name: text cut from 37 to 20 characters"]
        )
        task = self.Task.create(values)
        self.assertRecordValues(
            task,
            [
                {
                    "name": "A title longer than ",
                    "priority": 3,
                    "hours": 1.26,
                    "amount": 1200.56,
                    "done": True,
                    "deadline": date(2024, 3, 1),
                    "planned_at": datetime(2024, 7, 1, 7, 30),
                }
            ],
        )
        self.assertEqual(
            self.mapper().to_external(task, fields=["planned_at"]), {"start": "2024-07-01T09:30:00+02:00"}
        )

    def test_a_bad_record_is_quarantined_and_the_batch_goes_on(self):
        self.make("name", "title")
        self.make(
            "stage_id",
            "list",
            value_mapping_ids=[Command.create({"external_value": "Todo", "odoo_record_id": self.todo.id})],
        )
        records = [
            {"id": "c1", "title": "First", "list": "Todo"},
            {"id": "c2", "title": "Second", "list": "Archived"},
            {"id": "c3", "title": "Third", "list": "Todo"},
        ]
        batch = self.mapper().to_odoo_batch(records)
        self.Task.create([values for _record, values in batch.good])
        jobs = self.backend._connector_quarantine("_job_import_task", batch.failed, object_type="card")
        self.assertEqual(self.Task.search([]).mapped("name"), ["First", "Third"])
        self.assertRecordValues(
            jobs,
            [
                {
                    "state": "failed",
                    "kind": "import",
                    "object_type": "card",
                    "method_name": "_job_import_task",
                    "payload": records[1],
                    "error_class": "odoo.addons.connector_base.lib.mapping.MappingError",
                }
            ],
        )
        self.assertIn("card c2", jobs.error_message)
        self.assertIn("list → Stage (stage_id)", jobs.error_message)
        self.assertIn("value 'Archived'", jobs.error_message)

        # Someone maps the missing status; Retry imports the kept record.
        self.Mapping.search([("odoo_field", "=", "stage_id")]).value_mapping_ids = [
            Command.create({"external_value": "Archived", "odoo_record_id": self.done.id})
        ]
        jobs.action_retry()
        self.assertEqual(jobs.state, "pending")
        result = jobs._call_handler(jobs.method_name, jobs.backend_model, jobs.backend_id, jobs.company_id.id)
        self.assertEqual(result, {"created": 1})
        self.assertEqual(self.Task.search([("name", "=", "Second")]).stage_id, self.done)

    def test_the_compiled_mapper_is_cached_until_a_mapping_changes(self):
        mapping = self.make("note", "notes")
        first = self.mapper().mapper
        self.assertIs(self.mapper().mapper, first)
        mapping.external_field = "comments"
        second = self.mapper().mapper
        self.assertIsNot(second, first)
        self.assertEqual(second.to_odoo({"id": 1, "comments": "hi"})[0], {"note": "hi"})
        mapping.action_archive()
        self.assertEqual(self.mapper().mapper.rules, ())

    def test_export_field_names_list_what_each_backend_exports(self):
        self.make("name", "title")
        self.make("note", "notes", direction="import")
        self.make("priority", "rank", direction="export")
        self.make("done", "closed", external_type="row")
        key = ("test.connector.backend", self.backend.id, "card")
        self.assertEqual(self.Mapping._export_field_names(TASK)[key], frozenset({"name", "priority"}))
        self.make("deadline", "due")
        self.assertEqual(
            self.Mapping._export_field_names(TASK)[key], frozenset({"name", "priority", "deadline"})
        )
        self.assertEqual(self.Mapping._export_field_names(TASK)[(*key[:2], "row")], frozenset({"done"}))

    def test_authorities_of_the_mappings_reach_the_mapper(self):
        self.make("name", "title", authority="platform")
        self.make("note", "notes")
        self.assertEqual(dict(self.mapper().authorities), {"name": "platform"})


class TestFieldMappingDefaults(FieldMappingCase):
    SPECS = [
        {"odoo_field": "name", "external_field": "title", "external_label": "Title", "authority": "platform"},
        {"odoo_field": "planned_at", "external_field": "start", "timezone": "Europe/Paris"},
        {
            "odoo_field": "state",
            "external_field": "status",
            "value_mappings": [{"external_value": "WIP", "odoo_value": "open"}],
        },
    ]

    def specs(self):
        return [
            *self.SPECS,
            {
                "odoo_field": "stage_id",
                "external_field": "list",
                "value_mappings": [{"external_value": "Todo", "odoo_record": self.todo}],
            },
        ]

    def test_defaults_are_created_once(self):
        created = self.Mapping._ensure_defaults(self.backend, "card", TASK, self.specs())
        self.assertEqual(created.mapped("odoo_field"), ["name", "planned_at", "state", "stage_id"])
        self.assertEqual(
            created.filtered(lambda m: m.odoo_field == "stage_id").value_mapping_ids.odoo_record_id,
            self.todo.id,
        )
        self.assertEqual(
            self.mapper().to_odoo({"id": 1, "title": "T", "status": "WIP", "list": "Todo"})[0]["stage_id"],
            self.todo.id,
        )
        self.assertFalse(self.Mapping._ensure_defaults(self.backend, "card", TASK, self.specs()))
        self.assertEqual(self.Mapping.search_count([("external_type", "=", "card")]), 4)

    def test_a_default_switched_off_stays_off(self):
        created = self.Mapping._ensure_defaults(self.backend, "card", TASK, self.specs())
        created.filtered(lambda m: m.odoo_field == "state").action_archive()
        self.assertFalse(self.Mapping._ensure_defaults(self.backend, "card", TASK, self.specs()))
        self.assertNotIn("state", self.mapper().mapper.import_fields)

    def test_defaults_are_per_backend(self):
        other = self.env["test.connector.backend"].create({"name": "Other backend"})
        self.Mapping._ensure_defaults(self.backend, "card", TASK, self.specs())
        self.assertEqual(len(self.Mapping._ensure_defaults(other, "card", TASK, self.specs())), 4)

    def test_a_default_naming_an_unknown_field_fails_loudly(self):
        with self.assertRaises(ValueError):
            self.Mapping._ensure_defaults(
                self.backend, "card", TASK, [{"odoo_field": "nope", "external_field": "x"}]
            )


class TestFieldMappingAccess(FieldMappingCase):
    def test_views_load(self):
        for view_type in ("list", "form", "search"):
            self.Mapping.get_views([(False, view_type)])
        self.env["ir.actions.act_window"]._for_xml_id("connector_base.action_connector_field_mapping")

    def test_connector_users_read_and_managers_edit(self):
        mapping = self.make("note", "notes")
        user = new_test_user(self.env, "mapping_user", groups="connector_base.group_connector_user")
        manager = new_test_user(self.env, "mapping_manager", groups="connector_base.group_connector_manager")
        self.assertEqual(mapping.with_user(user).external_field, "notes")
        with self.assertRaises(AccessError):
            mapping.with_user(user).external_field = "other"
        mapping.with_user(manager).external_field = "comments"

    def test_mappings_of_other_companies_are_hidden(self):
        other = self.env["res.company"].create({"name": "Other company"})
        hidden = self.make("note", "notes", company_id=other.id)
        visible = self.make("note", "notes", external_type="row")
        user = new_test_user(self.env, "mapping_reader", groups="connector_base.group_connector_user")
        found = self.Mapping.with_user(user).search([("id", "in", (hidden | visible).ids)])
        self.assertEqual(found, visible)
