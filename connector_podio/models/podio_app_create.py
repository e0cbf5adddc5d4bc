from odoo import fields, models

from odoo.addons.connector_base.lib.errors import ConcurrencyError, NotFoundError, ValidationError
from odoo.addons.connector_base.lib.sync import every_record

from ..lib.contacts import ITEM
from ..lib.item_writes import created_external_id

# What Podio's notes show as an item's first revision number ("initial_revision": 0); the
# create answer's "revision" is not relied on (the docs call it the revision's id).
INITIAL_REVISION = 0
CREATE_ITEM = "_job_create_item"


class PodioAppCreate(models.Model):
    """Records made in Odoo becoming items of the app linked to their model, exactly once:
    partners, sales orders with their lines, and lines added to an order already in Podio."""

    _inherit = "podio.app"  # pylint: disable=consider-merging-classes-inherited
    # An app is not a field of the records: every partner, order and line made in Odoo is
    # offered to the apps, and the first one of the backend creating items of its model takes it.
    _connector_holds = (
        every_record("res.partner"),
        every_record("sale.order"),
        every_record("sale.order.line"),
    )

    create_items = fields.Boolean(
        string="Create items",
        help="Records created in Odoo become items of this app (needs Both ways): contacts (not "
        "companies), sales orders, order lines (those of a new order go with its item; those added "
        "to an order already in Podio on their own). One app per backend and model creates them: "
        "the first one linked.",
    )

    def _podio_item_creator(self, model_name):
        """The app of this backend creating the items of ``model_name`` records, if any."""
        return self.search(
            [
                ("backend_id", "=", self.backend_id.id),
                ("odoo_model", "=", model_name),
                ("direction", "=", "both"),
                ("create_items", "=", True),
                ("active", "=", True),
            ],
            order="id",
            limit=1,
        )

    def _connector_exports_new(self, records):
        if self._podio_item_creator(records._name) != self:
            return records.browse()
        if records._name == "res.partner":
            return records.filtered(lambda partner: not partner.is_company)
        if records._name == "sale.order.line":
            # The lines of an order not in Podio yet go with its item (_create_order_line_items).
            bound = set(records.order_id._connector_bindings(self.backend_id, ITEM).mapped("res_id"))
            return records.filtered(lambda line: not line.display_type and line.order_id.id in bound)
        return records

    def _connector_new_records_jobs(self, records):
        # One job per item: Podio creates them one by one, and a refused one leaves the others.
        return [
            self._connector_container_job(
                CREATE_ITEM,
                {"app_link_id": self.id, "res_model": record._name, "res_id": record.id},
                kind="export",
                name=self.env._(
                    "Create the item of %(record)s in app %(app)s", record=record.display_name, app=self.name
                ),
                object_type=ITEM,
                identity_key=_create_item_key(record),
            )
            for record in records
        ]

    def _create_item(self, record):
        """Create ``record``'s item and bind them (an order's lines too, in the app creating
        line items)."""
        self.ensure_one()
        backend = self.backend_id
        if record._connector_bindings(backend, ITEM):
            return {"skipped": 1, "summary": self.env._("%s already has an item.", record.display_name)}
        definitions = {}
        with backend._podio_session() as client:
            item_id, created = self._make_item(client, record, definitions)
            lines = self._create_order_line_items(client, record, item_id, definitions)
        summary = self.env._(
            "Item %(item)s %(how)s for %(record)s.",
            item=item_id,
            how=self.env._("created") if created else self.env._("found (made by an interrupted attempt)"),
            record=record.display_name,
        )
        if lines:
            summary += " " + self.env._("%s line item(s) with it.", lines)
        return {"created": 1 + lines, "summary": summary}

    def _make_item(self, client, record, definitions):
        """Create ``record``'s item at most once and bind them; a retry after a worker died
        finds the item the first attempt made by its ``external_id`` instead of making a
        second one. The revision created is remembered, so the item's create hook is an
        echo. Returns (item id, whether this call created it)."""
        backend = self.backend_id
        self._wait_for_referenced_items(record)
        wanted = {**self._mapper().to_external(record), **self._item_references(record)}
        currency = record.currency_id.name if "currency_id" in record._fields else None
        values = self._item_fields(client, None, wanted, currency=currency, definitions=definitions)
        item, created = backend._connector_create_once(
            ITEM,
            record,
            create=lambda token: client.create_item(
                self.app_id,
                values,
                external_id=created_external_id(record._name, record.id, token),
                hook=not backend.export_mutes_hooks,
            ),
            find=lambda token, _started_at: self._item_of_external_id(
                client, created_external_id(record._name, record.id, token)
            ),
        )
        item_id = str(item["item_id"])
        record._connector_bind(backend, ITEM, item_id)
        revision = INITIAL_REVISION if created else item["current_revision"]["revision"]
        backend._podio_remember_sync(record._connector_bindings(backend, ITEM), record, revision)
        return item_id, created

    def _create_order_line_items(self, client, order, order_item_id, definitions):
        """The items of a new order's lines, each referring to the order's item, in the app
        creating line items (none: the order's item alone). Returns how many were made."""
        if order._name != "sale.order":
            return 0
        lines_app = self._podio_item_creator("sale.order.line")
        lines = order.order_line.filtered(lambda line: not line.display_type)
        if not lines_app or not lines:
            return 0
        bound = set(lines._connector_bindings(self.backend_id, ITEM).mapped("res_id"))
        made = 0
        for line in lines.filtered(lambda line: line.id not in bound):
            made += lines_app._make_item(client, line, definitions)[1]
        return made

    def _item_references(self, record):
        """The references a new item needs that the mappings only import: which item of the
        sales app a line belongs to is read from Podio, but a line item made in Odoo must
        name its order's item."""
        references = {}
        for rule in self._mapper().rules:
            if rule.exports or rule.lookup_by != "binding" or rule.odoo_field not in record._fields:
                continue
            targets = record[rule.odoo_field]
            if not targets:
                continue
            bindings = targets._connector_bindings(self.backend_id, rule.lookup_type or ITEM)
            if len(bindings) < len(targets):
                raise ValidationError(
                    self.env._(
                        "%(record)s refers to %(target)s, which has no Podio item to name in %(field)s.",
                        record=record.display_name,
                        target=", ".join(targets.mapped("display_name")),
                        field=rule.title,
                    )
                )
            ids = bindings.mapped("external_id")
            references[rule.external_field] = (
                ids if record._fields[rule.odoo_field].type == "many2many" else ids[0]
            )
        return references

    def _wait_for_referenced_items(self, record):
        """Retry later when a record the item names (an order's customer) has its own item
        still being created: the two jobs may run at once on two servers."""
        backend = self.backend_id
        keys = []
        for rule in self._mapper().rules:
            if not rule.exports or rule.lookup_by != "binding" or rule.odoo_field not in record._fields:
                continue
            targets = record[rule.odoo_field]
            bound = set(targets._connector_bindings(backend, rule.lookup_type or ITEM).mapped("res_id"))
            keys += [
                backend._connector_scoped_key(_create_item_key(target))
                for target in targets
                if target.id not in bound
            ]
        if keys and self.env["connector.sync.job"].sudo().search_count(
            [("identity_key", "in", keys), ("state", "in", ("pending", "running"))], limit=1
        ):
            raise ConcurrencyError(f"{record._name} {record.id} waits for the items of the records it names")

    def _item_of_external_id(self, client, external_id):
        try:
            return client.item_by_external_id(self.app_id, external_id)
        except NotFoundError:
            return None


def _create_item_key(record):
    return f"create_item:{record._name}:{record.id}"
