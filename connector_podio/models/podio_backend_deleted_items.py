import psycopg2

from odoo import models
from odoo.exceptions import UserError
from odoo.tools import mute_logger

from odoo.addons.connector_base.lib.sync import FROM_CONNECTOR

from ..lib.contacts import ITEM


class PodioBackendDeletedItems(models.Model):
    """What becomes of the record of an item deleted in Podio (``deleted_item_policy``)."""

    _inherit = "podio.backend"  # pylint: disable=consider-merging-classes-inherited

    def _podio_item_gone(self, item_id):
        """Archive the item's record (cancel an order), or delete it; a line has no archive."""
        bindings = self.env["connector.external.binding"]._of_external_ids(self, ITEM, [item_id])[:1]
        Model = self.env[bindings.res_model] if bindings else None
        record = Model.with_context(active_test=False).browse(bindings.res_id).exists() if bindings else None
        if not record:
            return {"skipped": 1, "summary": self.env._("No record for item %s.", item_id)}
        record = record.with_context(**{FROM_CONNECTOR: True})
        if record._name == "sale.order.line":
            return self._podio_line_gone(record)
        if record._name == "sale.order":
            return self._podio_order_gone(record)
        if self.deleted_item_policy == "unlink" or "active" not in record._fields:
            return self._podio_unlink_or_archive(record)
        return self._podio_archive(record)

    def _podio_order_gone(self, order):
        name = order.display_name
        if order.state == "cancel" and self.deleted_item_policy == "archive":
            return {"skipped": 1, "summary": self.env._("%s was already cancelled.", name)}
        if order.state != "cancel":
            order._action_cancel()  # Odoo deletes only cancelled (or draft) orders
        if self.deleted_item_policy == "unlink":
            order.order_line.unlink()  # through the ORM, so that their bindings go with them
            return self._podio_unlink_or_archive(order)
        return {"updated": 1, "summary": self.env._("%s cancelled: its item was deleted.", name)}

    def _podio_line_gone(self, line):
        """A line is deleted, except on a confirmed order, where Odoo keeps it (with no quantity)."""
        name = line.display_name
        if line.order_id.state == "sale":
            line.product_uom_qty = 0
            return {"updated": 1, "summary": self.env._("%s set to no quantity: its item was deleted.", name)}
        return self._podio_unlink_or_archive(line)

    def _podio_unlink_or_archive(self, record):
        """Delete the record; one Odoo keeps (a partner with orders) is archived instead."""
        name = record.display_name
        try:
            # A record still referred to is refused by the database: expected, not worth an error line.
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                record.unlink()
        except (UserError, psycopg2.IntegrityError):
            if "active" not in record._fields:
                raise
            return self._podio_archive(record)
        return {"updated": 1, "summary": self.env._("%s deleted: its item was deleted.", name)}

    def _podio_archive(self, record):
        name = record.display_name
        if not record.active:
            return {"skipped": 1, "summary": self.env._("%s was already archived.", name)}
        record.active = False
        return {"updated": 1, "summary": self.env._("%s archived: its item was deleted.", name)}
