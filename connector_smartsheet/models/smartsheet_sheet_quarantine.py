from odoo import models


class SmartsheetSheetQuarantine(models.Model):
    """The rows of one sheet in the backend's quarantine (``connector.backend.mixin``): the
    sheet's count and list. A row waits for its parent row; retried, a row brings its
    children along by itself."""

    _inherit = "smartsheet.sheet"  # pylint: disable=consider-merging-classes-inherited

    def action_view_quarantine(self):
        self.ensure_one()
        action = self.backend_id.action_view_quarantine()
        action["domain"] = self.backend_id._quarantine_domain(self.external_type)
        return action
