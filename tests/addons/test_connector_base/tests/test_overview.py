from unittest.mock import patch

from lxml import etree

from odoo.addons.connector_base.models.connector_backend_health import CIRCUIT_BREAKER_REASON
from odoo.addons.connector_base.tests.common import ConnectorCase


class TestOverview(ConnectorCase):
    """The Connectors dashboard: a card per backend of any connector, each figure a list."""

    def card(self, backend=None):
        backend = backend or self.backend
        cards = self.env["connector.overview"].get_overview()["cards"]
        return next(card for card in cards if card["model"] == backend._name and card["id"] == backend.id)

    def test_every_backend_model_of_the_mixin_gets_a_card_with_its_figures(self):
        self.Job._enqueue([self.backend._connector_job_values("_job_noop")])
        self.backend._connector_quarantine(
            "_job_import_task", [({"id": "t1"}, ValueError("bad date"))], object_type="card"
        )
        failed = self.Job._enqueue([self.backend._connector_job_values("_job_noop")])
        failed.write({"state": "failed"})
        card = self.card()
        self.assertEqual(card["platform"], "Test Connector")
        self.assertEqual((card["pending"], card["failed"], card["quarantine"]), (1, 1, 1))
        self.assertEqual(card["conflicts"], 0)
        self.assertEqual(card["state"], "not_connected", "no secret is set")

    def test_each_figure_opens_the_list_it_counts(self):
        self.Job._enqueue([self.backend._connector_job_values("_job_noop")])
        for figure, count in (("pending", 1), ("failed", 0), ("quarantine", 0), ("done", 0)):
            action = self.backend.action_overview_open(figure)
            self.assertEqual(self.env[action["res_model"]].search_count(action["domain"]), count, figure)
        conflicts = self.backend.action_overview_open("conflicts")
        self.assertEqual(conflicts["res_model"], "connector.sync.conflict")

    def test_the_state_says_paused_then_circuit_open(self):
        self.backend.write({"api_token": "t", "app_secret": "s"})
        self.assertEqual(self.card()["state"], "connected")
        self.backend.action_overview_toggle_pause()
        self.assertEqual(self.card()["state"], "paused")
        self.backend.action_overview_toggle_pause()
        self.assertFalse(self.backend.paused)
        self.backend.action_pause(reason=CIRCUIT_BREAKER_REASON)
        self.assertEqual(self.card()["state"], "circuit_open")

    def test_a_backend_that_only_polls_shows_polling_not_webhooks(self):
        self.assertEqual(self.card()["webhook_label"], "Webhooks")
        with patch.object(type(self.backend), "_connector_polls_only", True):
            self.assertEqual(self.card()["webhook_label"], "Polling")
            self.assertEqual(self.card()["webhook_text"], "No change seen by polling yet")
            self.env["connector.webhook.event"].sudo().create(
                {"backend_model": self.backend._name, "backend_id": self.backend.id, "event_id": "poll-1"}
            )
            self.assertEqual(self.card()["webhook_level"], "ok")
            self.assertTrue(self.card()["webhook_text"].startswith("Last change seen "))


class TestReadableJobs(ConnectorCase):
    def test_a_job_without_a_name_is_named_in_words_not_after_its_method(self):
        job = self.Job._enqueue([self.backend._connector_job_values("_job_describe_backend")])
        self.assertEqual(job.name, "Describe backend (Test backend)")

    def test_a_job_keeps_the_platform_object_it_is_about(self):
        job = self.Job._enqueue(
            [
                self.backend._connector_job_values(
                    "_job_noop",
                    name="Import board IT",
                    object_name="board IT",
                    object_url="https://trello.example/b/it",
                    external_id="b1",
                )
            ]
        )
        self.assertRecordValues(
            job, [{"name": "Import board IT", "object_name": "board IT", "external_id": "b1"}]
        )
        self.assertEqual(job.object_url, "https://trello.example/b/it")


class TestSyncHistory(ConnectorCase):
    """Every bound record shows its bindings, jobs and conflicts."""

    def setUp(self):
        super().setUp()
        self.Partner = self.env["res.partner"]
        item = {"external_id": "c1", "values": {"name": "Original"}}
        self.Partner._connector_upsert(self.backend, "contact", [item], authorities={"name": ""})
        self.partner = self.Partner._connector_find(self.backend, "contact", ["c1"])["c1"]

    def test_the_history_lists_bindings_jobs_and_conflicts_of_the_record(self):
        self.partner.name = "Renamed in Odoo"
        binding = self.partner.connector_binding_ids
        binding._enqueue_exports()
        self.Partner._connector_upsert(
            self.backend,
            "contact",
            [{"external_id": "c1", "values": {"name": "Renamed on the platform"}}],
            authorities={"name": ""},
        )
        action = self.partner.action_view_connector_history()
        history = self.env["connector.sync.history"].browse(action["res_id"])
        self.assertEqual(history.binding_ids, binding)
        self.assertEqual(history.binding_ids.platform, "Test Connector")
        self.assertIn("Export contact", history.job_ids[0].name)
        self.assertIn("Renamed in Odoo", history.job_ids[0].name)
        self.assertEqual(history.conflict_ids.field_name, "name")

    def test_a_conflict_posts_a_note_in_the_record_chatter(self):
        self.partner.name = "Renamed in Odoo"
        self.Partner._connector_upsert(
            self.backend,
            "contact",
            [{"external_id": "c1", "values": {"name": "Renamed on the platform"}}],
            authorities={"name": ""},
        )
        note = self.partner.message_ids[:1]
        self.assertIn("changed both here", note.body)
        self.assertIn("Renamed on the platform", note.body)
        self.assertTrue(note.subtype_id == self.env.ref("mail.mt_note"))

    def test_a_bound_model_form_gets_the_sync_history_button(self):
        arch = etree.fromstring(self.Partner.get_view(view_type="form")["arch"])
        self.assertTrue(arch.xpath("//button[@name='action_view_connector_history']"))
