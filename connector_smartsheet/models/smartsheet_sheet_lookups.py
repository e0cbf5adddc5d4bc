from odoo import models

from odoo.addons.connector_base.lib.errors import ValidationError
from odoo.addons.connector_base.lib.mapping import FieldRule, MappingError

from ..lib import mapper as cells
from .smartsheet_sheet import ROW_LABEL


class SmartsheetSheetLookups(models.Model):
    """What rows name by text (products, locations, lots), and the row errors naming their column."""

    _inherit = "smartsheet.sheet"  # pylint: disable=consider-merging-classes-inherited

    @staticmethod
    def _cell_text(record, column):
        value = record.get(column.column_id) if column else None
        return str(value).strip() if value not in (None, "", False) else ""

    def _row_error(self, record, column, value, reason):
        rule = FieldRule(
            odoo_field="",
            converter="text",
            external_field=column.column_id if column else "",
            label=column.name if column else self.env._("Parent row"),
        )
        return MappingError(f"{self.external_type} {record.get(ROW_LABEL)}", rule, value, reason)

    def _resolve_products(self, good):
        """{row id: product} by internal reference, else by name, in one query; and the failures."""
        column = self.product_column_id
        if not column:
            raise ValidationError(self.env._("%(sheet)s: choose the product column.", sheet=self.name))
        keys = {self._cell_text(record, column) for record, _values in good} - {""}
        Product = self.env["product.product"].with_context(active_test=True)
        candidates = (
            Product.search_fetch(
                ["|", ("default_code", "in", list(keys)), ("name", "in", list(keys))],
                ["default_code", "name"],
                order="id",
            )
            if keys
            else Product
        )
        by_code, by_name = {}, {}
        for product in candidates:
            by_code.setdefault(product.default_code, product)
            by_name.setdefault(product.name, product)
        found, failures = {}, []
        for record, _values in good:
            key = self._cell_text(record, column)
            product = by_code.get(key) or by_name.get(key)
            if product:
                found[record[cells.ROW_ID]] = product
            else:
                reason = "no product with this internal reference or name" if key else "a product is required"
                failures.append((record, self._row_error(record, column, key, reason)))
        return found, failures

    def _resolve_locations(self, good):
        """{row id: location} by full name, name or barcode (else the sheet's default); and the failures."""
        column = self.location_column_id
        keys = {self._cell_text(record, column) for record, _values in good} - {""}
        Location = self.env["stock.location"]
        candidates = (
            Location.search_fetch(
                [
                    ("usage", "=", "internal"),
                    ("company_id", "in", [self.company_id.id, False]),
                    "|",
                    "|",
                    ("complete_name", "in", list(keys)),
                    ("name", "in", list(keys)),
                    ("barcode", "in", list(keys)),
                ],
                ["complete_name", "name", "barcode"],
                order="id",
            )
            if keys
            else Location
        )
        by_key = {}
        for location in candidates:
            for key in (location.barcode, location.name, location.complete_name):
                if key:
                    by_key[key] = location
        found, failures = {}, []
        for record, _values in good:
            key = self._cell_text(record, column)
            location = by_key.get(key) if key else self.location_id
            if location:
                found[record[cells.ROW_ID]] = location
            else:
                reason = "no internal location with this name or barcode" if key else "a location is required"
                failures.append(
                    (record, self._row_error(record, column or self.product_column_id, key, reason))
                )
        return found, failures
