from odoo import http

from odoo.addons.connector_base.controllers.webhook import WebhookIntake, webhook_route


class SmartsheetController(http.Controller):
    @webhook_route("/connector/smartsheet/webhook/<int:backend_id>")
    def smartsheet_webhook(self, backend_id, **params):
        """Verification challenges, status changes and row events of every linked sheet."""
        return WebhookIntake("smartsheet.backend", backend_id).handle()
