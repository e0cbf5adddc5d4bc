from odoo import api, models


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    @api.ondelete(at_uninstall=False)
    def _unlink_connector_bindings(self):
        # Bound attachments (a platform's comments or files) are deleted with their record, before
        # any hook of the record's model runs; their bindings point at them by id only and
        # would keep a re-import from bringing them back.
        self.env["connector.external.binding"]._of_records(self).unlink()
