import re

from odoo import api, fields, models

from ..lib import mapper as cells

REQUESTED_STATES = [
    ("draft", "Draft"),
    ("confirmed", "Confirmed"),
    ("progress", "In progress"),
    ("done", "Done"),
    ("cancel", "Cancelled"),
]
# Words of a status option, and the state of the manufacturing order they ask for.
STATE_WORDS = [
    ("cancel", r"cancel|abort|drop"),
    ("done", r"done|complete|finish|closed"),
    ("progress", r"progress|start|running|ongoing"),
    ("confirmed", r"confirm|ready|scheduled|planned|released"),
    ("draft", r"draft|new|idea|not started"),
]


class MrpProduction(models.Model):
    _name = "mrp.production"
    _inherit = ["mrp.production", "connector.external.id.mixin"]

    smartsheet_requested_state = fields.Selection(
        REQUESTED_STATES,
        string="State asked by Smartsheet",
        copy=False,
        help="The status of the order's Smartsheet row; the import confirms, completes or cancels the order "
        "to match it.",
    )

    def _smartsheet_apply_requested_states(self):
        """Move orders to the state their row asks for, through Odoo's own actions."""
        wanted = {
            state: self.filtered(lambda mo, state=state: mo.smartsheet_requested_state == state)
            for state, _l in REQUESTED_STATES
        }
        (wanted["confirmed"] | wanted["progress"] | wanted["done"]).filtered(
            lambda mo: mo.state == "draft"
        ).action_confirm()
        to_finish = wanted["done"].filtered(lambda mo: mo.state in ("confirmed", "progress", "to_close"))
        for production in to_finish:
            production.qty_producing = production.product_qty
            production._set_qty_producing()
        to_finish.move_raw_ids.picked = True
        if to_finish:
            to_finish.with_context(skip_backorder=True, skip_consumption=True).button_mark_done()
        wanted["cancel"].filtered(lambda mo: mo.state not in ("done", "cancel")).action_cancel()

    def _smartsheet_row_deleted(self, action):
        """Rows deleted in Smartsheet: drafts are deleted (or cancelled), other open orders cancelled."""
        open_orders = self.filtered(lambda mo: mo.state not in ("done", "cancel"))
        drafts = open_orders.filtered(lambda mo: mo.state == "draft")
        if action == "delete" and drafts:
            drafts.unlink()
            open_orders -= drafts
        open_orders.action_cancel()
        return len(open_orders) + (len(drafts) if action == "delete" else 0)

    @api.model
    def _smartsheet_default_mappings(self, sheet):
        columns = sheet.column_ids.filtered(lambda column: not column.system_column_type)
        roles = columns._guess_roles()
        timezone = self.env.user.tz or "UTC"
        specs = []
        reference = roles.get("reference") or columns.filtered("primary")[:1]
        if reference and reference != roles.get("product"):
            specs.append(self._smartsheet_spec(reference, "origin"))
        quantity = roles.get("quantity")
        if quantity and quantity.column_type == cells.TEXT_NUMBER:
            specs.append(self._smartsheet_spec(quantity, "product_qty"))
        start = roles.get("start")
        if start and start.column_type in (cells.DATE, cells.ABSTRACT_DATETIME, cells.DATETIME):
            specs.append(self._smartsheet_spec(start, "date_start", timezone=timezone))
        status = roles.get("status")
        if status and status.column_type == cells.PICKLIST:
            lines = []
            for option in status.options or []:
                state = next(
                    (state for state, words in STATE_WORDS if re.search(words, option, re.IGNORECASE)), None
                )
                if state:
                    lines.append({"external_value": option, "odoo_value": state})
            specs.append(self._smartsheet_spec(status, "smartsheet_requested_state", value_mappings=lines))
        return specs

    @api.model
    def _smartsheet_spec(self, column, field_name, **extra):
        return {
            "odoo_field": field_name,
            "external_field": column.column_id,
            "external_label": column.name,
            "direction": "import",
            **extra,
        }
