from odoo import fields, models

from odoo.addons.connector_base.lib.errors import NotFoundError
from odoo.addons.connector_base.lib.sync import every_record

from ..lib.contacts import ITEM
from ..lib.item_writes import category_options, created_external_id, field_types, item_fields, written_fields

# What Podio's notes show as an item's first revision number ("initial_revision": 0); the
# create answer's "revision" is not relied on (the docs call it the revision's id).
INITIAL_REVISION = 0


class PodioAppExport(models.Model):
    """Records changed in Odoo written to the items of an app linked both ways (partners,
    orders, order lines), and partners made in Odoo becoming items, exactly once."""

    _inherit = "podio.app"  # pylint: disable=consider-merging-classes-inherited
    # An app is not a field of the partners: every partner made in Odoo is offered to the
    # apps, and the first one of the backend creating items takes it.
    _connector_holds = every_record("res.partner")

    create_items = fields.Boolean(
        string="Create items",
        help="Contacts created in Odoo become items of this app (needs Both ways). One app per "
        "backend creates them: the first one linked.",
    )

    def _connector_exports_new(self, records):
        first = self.search(
            [
                ("backend_id", "=", self.backend_id.id),
                ("odoo_model", "=", records._name),
                ("direction", "=", "both"),
                ("create_items", "=", True),
                ("active", "=", True),
            ],
            order="id",
            limit=1,
        )
        if first != self:
            return records.browse()
        return records.filtered(lambda partner: not partner.is_company)

    def _connector_new_records_jobs(self, records):
        # One job per item: Podio creates them one by one, and a refused one leaves the others.
        return [
            self._connector_container_job(
                "_job_create_item",
                {"app_link_id": self.id, "res_model": record._name, "res_id": record.id},
                kind="export",
                name=self.env._(
                    "Create the item of %(record)s in app %(app)s", record=record.display_name, app=self.name
                ),
                object_type=ITEM,
                identity_key=f"create_item:{record._name}:{record.id}",
            )
            for record in records
        ]

    def _item_fields(self, client, item, wanted):
        """The values to write where ``wanted`` differs from ``item`` (None: a new item). The
        fields' types and category options come from the item, else from the app's
        definitions (read only when the item lacks one the write needs)."""
        fields_ = (item or {}).get("fields")
        types, options = field_types(fields_), category_options(fields_)
        written = written_fields(wanted)
        categories = {name for name in written if types.get(name) == "category"}
        if written - set(types) or categories - set(options):
            definitions = client.app(self.app_id).get("fields")
            types = {**field_types(definitions), **types}
            options = {**category_options(definitions), **options}
        return item_fields(wanted, item, types, options)

    def _create_item(self, record):
        """Create ``record``'s item and bind them; a retry after a worker died finds the item
        the first attempt made by its ``external_id`` instead of making a second one."""
        self.ensure_one()
        backend = self.backend_id
        if record._connector_bindings(backend, ITEM):
            return {"skipped": 1, "summary": self.env._("%s already has an item.", record.display_name)}
        wanted = self._mapper().to_external(record)
        hook = not backend.export_mutes_hooks
        with backend._podio_session() as client:
            values = self._item_fields(client, None, wanted)
            item, created = backend._connector_create_once(
                ITEM,
                record,
                create=lambda token: client.create_item(
                    self.app_id,
                    values,
                    external_id=created_external_id(record._name, record.id, token),
                    hook=hook,
                ),
                find=lambda token, _started_at: self._item_of_external_id(
                    client, created_external_id(record._name, record.id, token)
                ),
            )
        item_id = str(item["item_id"])
        record._connector_bind(backend, ITEM, item_id)
        revision = INITIAL_REVISION if created else item["current_revision"]["revision"]
        backend._podio_remember_sync(record._connector_bindings(backend, ITEM), record, revision)
        return {
            "created": 1,
            "summary": self.env._(
                "Item %(item)s %(how)s for %(record)s.",
                item=item_id,
                how=self.env._("created")
                if created
                else self.env._("found (made by an interrupted attempt)"),
                record=record.display_name,
            ),
        }

    def _item_of_external_id(self, client, external_id):
        try:
            return client.item_by_external_id(self.app_id, external_id)
        except NotFoundError:
            return None

    def _export_item(self, binding, record, item, client):
        """Write to ``item`` the mapped fields where ``record`` differs; returns the item's revision
        number after the write (the same when nothing differed)."""
        backend = self.backend_id
        wanted = backend._connector_export_values(binding, record, self._mapper())
        revision = item["current_revision"]["revision"]
        values = self._item_fields(client, item, wanted)
        if not values:
            return revision
        client.update_item(item["item_id"], values, revision=revision, hook=not backend.export_mutes_hooks)
        # The write named the revision it changed: succeeding, it made the next one.
        return revision + 1
