from odoo import models

from odoo.addons.connector_base.lib.polling import Polled, PolledEvent


class SmartsheetBackendPolling(models.Model):
    """The safety net under webhooks, through the base's poll jobs: one version probe per
    imported sheet; a version the sheet has not imported yet queues its sync."""

    _inherit = "smartsheet.backend"  # pylint: disable=consider-merging-classes-inherited

    def _connector_poll_containers(self):
        sheets = self.sheet_ids.filtered(lambda sheet: sheet.active and sheet._imports())
        return {sheet.sheet_id: sheet.name for sheet in sheets}

    def _connector_poll(self, container, cursor):
        sheet = self.sheet_ids.filtered(lambda sheet: sheet.sheet_id == container)
        with self._smartsheet_client() as client:
            version = client.get_sheet_version(container)
        if not sheet or (sheet.last_version and version == sheet.last_version):
            return Polled(str(version))
        # A version names the change, so a second poll before the sync runs claims nothing.
        return Polled(str(version), (PolledEvent(f"version:{container}:{version}", {"sheet_id": sheet.id}),))

    def _connector_poll_job_values(self, payload, event_id):
        sheet = self.env["smartsheet.sheet"].browse(payload["sheet_id"]).exists()
        return [sheet._sync_job_values()] if sheet else []
