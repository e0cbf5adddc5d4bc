from odoo import models


class ConnectorReconcileDifference(models.Model):
    _inherit = "connector.reconcile.difference"

    def action_reexport(self):
        """Smartsheet sends only the cells whose field changed since the last sync: forget the
        synced values (the parent aside, which tells a move) so every mapped cell is sent."""
        for binding in self.filtered(
            lambda d: d.state == "open" and d.binding_id and d.backend_model == "smartsheet.backend"
        ).binding_id:
            synced = binding.synced_values or {}
            binding.synced_values = {"parent_id": synced["parent_id"]} if "parent_id" in synced else {}
        return super().action_reexport()
