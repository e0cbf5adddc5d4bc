from .common import SmartsheetCase


class TestSmartsheetOverview(SmartsheetCase):
    """What the overview and the sync history say of a Smartsheet backend."""

    def test_a_quarantined_row_is_named_after_its_row_and_sheet(self):
        sheet_id, rows = self.make_task_sheet()
        self.emulator.update_cells(sheet_id, rows["Build A"], {"Task Name": ""})
        self.emulator.pending_events.clear()
        self.link(sheet_id, permalink="https://app.smartsheet.com/sheets/website")
        self.run_jobs()
        row_number = self.emulator.sheets[sheet_id].position(rows["Build A"]) + 1
        job = self.env["connector.sync.job"].search(
            [("method_name", "=", "_job_import_row"), ("external_id", "=", str(rows["Build A"]))]
        )
        self.assertEqual(job.name, f"Import row {row_number} of Website Launch")
        self.assertEqual(job.object_url, "https://app.smartsheet.com/sheets/website")
        self.assertTrue(job.quarantine)
        card = next(
            card
            for card in self.env["connector.overview"].get_overview()["cards"]
            if card["model"] == "smartsheet.backend" and card["id"] == self.backend.id
        )
        self.assertEqual(card["quarantine"], 2, "the row without a name and its child")

    def test_a_bound_row_links_to_its_sheet(self):
        sheet_id, rows = self.make_task_sheet()
        sheet = self.link(sheet_id, permalink="https://app.smartsheet.com/sheets/website")
        self.run_jobs()
        task = self.tasks_by_row(sheet)[rows["Design A"]]
        self.assertEqual(task.connector_binding_ids.external_url, "https://app.smartsheet.com/sheets/website")
        self.assertEqual(task.connector_binding_ids.platform, "Smartsheet")
        self.assertIn("Sync sheet Website Launch", self.env["connector.sync.job"].search([]).mapped("name"))

    def test_sync_now_without_a_linked_sheet_says_to_discover_one(self):
        backend = self.env["smartsheet.backend"].create(
            {"name": "Empty", "region": "custom", "custom_api_url": self.emulator.api_url}
        )
        notification = backend.action_sync_now()
        self.assertIn("Discover sheets", notification["params"]["message"])

    def test_a_sheet_whose_webhook_is_disabled_is_named_on_the_card(self):
        sheet_id, _rows = self.make_task_sheet()
        sheet = self.link(sheet_id)
        self.assertEqual(self.backend._connector_webhook_health(), ("ok", "Active on 1 sheet(s)"))
        sheet.webhook_id.status = "DISABLED_BY_OWNER"
        self.assertEqual(
            self.backend._connector_webhook_health(),
            ("error", "1 of 1 sheet(s) without an active webhook: Website Launch"),
        )
