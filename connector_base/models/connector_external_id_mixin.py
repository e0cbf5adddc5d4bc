from lxml import etree

from odoo import api, fields, models

from ..lib.sync import FROM_CONNECTOR


class ConnectorExternalIdMixin(models.AbstractModel):
    """Lets any model be bound to external objects through ``connector.external.binding``."""

    _name = "connector.external.id.mixin"
    _description = "Connector External ID Mixin"

    connector_binding_ids = fields.One2many(
        "connector.external.binding",
        "res_id",
        string="External bindings",
        domain=lambda self: [("res_model", "=", self._name)],
        groups="connector_base.group_connector_user",
        copy=False,
    )

    connector_binding_count = fields.Integer(
        compute="_compute_connector_binding_count",
        string="Synced with",
        groups="connector_base.group_connector_user",
    )

    def _compute_connector_binding_count(self):
        counts = dict(
            self.env["connector.external.binding"]
            .sudo()
            ._read_group(
                self.env["connector.external.binding"]._domain_for(records=self), ["res_id"], ["__count"]
            )
        )
        for record in self:
            record.connector_binding_count = counts.get(record.id, 0)

    def action_view_connector_history(self):
        """The record's sync history: its bindings, its jobs and its conflicts."""
        self.ensure_one()
        return self.env["connector.sync.history"]._open_for(self)

    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        """Every bound model's form gets the Sync history smart button, added here once
        instead of a view inheritance per model and connector."""
        arch, view = super()._get_view(view_id, view_type, **options)
        if view_type == "form":
            button_box = arch.find(".//div[@name='button_box']")
            if button_box is not None and not button_box.xpath(
                "button[@name='action_view_connector_history']"
            ):
                button = etree.SubElement(
                    button_box,
                    "button",
                    {
                        "name": "action_view_connector_history",
                        "type": "object",
                        "class": "oe_stat_button",
                        "icon": "fa-exchange",
                        "groups": "connector_base.group_connector_user",
                        "invisible": "not connector_binding_count",
                    },
                )
                etree.SubElement(
                    button,
                    "field",
                    {
                        "name": "connector_binding_count",
                        "widget": "statinfo",
                        "string": self.env._("Sync history"),
                    },
                )
        return arch, view

    # ------------------------------------------------------------------ lifecycle
    # Changes made by the connector itself (FROM_CONNECTOR) never go back out: no ping-pong.
    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        if not self.env.context.get(FROM_CONNECTOR):
            records._connector_export_new()
        return records

    def write(self, vals):
        result = super().write(vals)
        if not self.env.context.get(FROM_CONNECTOR):
            self._connector_enqueue_exports(vals)
            self._connector_export_restructured(vals)
            if any(holds.record_field in vals for holds in self._connector_holds()):
                self._connector_export_new()  # moved into a container
        return result

    def unlink(self):
        removals = {} if self.env.context.get(FROM_CONNECTOR) else self._connector_removals()
        result = super().unlink()
        for backend, (policy, by_type) in removals.items():
            backend._connector_enqueue_removals(policy, by_type)
        return result

    @api.model
    def _connector_containers(self):
        """The container models (``connector.container.mixin``) holding records of this model."""
        names = self.env.registry.descendants(["connector.container.mixin"], "_inherit")
        return [
            self.env[name]
            for name in sorted(names)
            if not self.env[name]._abstract and self.env[name]._connector_held(self._name)
        ]

    @api.model
    def _connector_holds(self):
        return [Container._connector_held(self._name) for Container in self._connector_containers()]

    def _connector_export_new(self):
        """Queue the export of these records, new in Odoo, by the containers holding them."""
        for Container in self._connector_containers():
            for container, records in Container._connector_holding(self).items():
                container._connector_enqueue_new_records(records)

    def _connector_export_restructured(self, field_names):
        """Re-export the bound records whose structure (``HeldRecords.structure_fields``) changed:
        what the export sends then differs from what its hash covers."""
        for Container in self._connector_containers():
            if Container._connector_held(self._name).structure_fields.intersection(field_names):
                Backend = self.env[Container._fields["backend_id"].comodel_name]
                bindings = self.env["connector.external.binding"]._of_records(self, Backend)
                bindings.export_hash = False
                bindings._enqueue_exports()

    def _connector_enqueue_exports(self, field_names):
        """One deduplicated export job per binding whose exported fields are among ``field_names``."""
        exported = self.env["connector.field.mapping"]._export_field_names(self._name)
        touched = {key for key, names in exported.items() if names.intersection(field_names)}
        if not touched or not self.ids:
            return
        bindings = self.env["connector.external.binding"]._of_records(self)
        bindings.filtered(
            lambda binding: (binding.backend_model, binding.backend_id, binding.external_type) in touched
        )._enqueue_exports()

    def _connector_removals(self):
        """{backend: (its deleted_record_policy, {external type: [external ids]})} of the bound
        objects of these records whose backend does not leave them."""
        removals = {}
        for binding in self.env["connector.external.binding"]._of_records(self):
            backend = self.env[binding.backend_model].sudo().browse(binding.backend_id).exists()
            if backend and backend.deleted_record_policy != "leave":
                _policy, by_type = removals.setdefault(backend, (backend.deleted_record_policy, {}))
                by_type.setdefault(binding.external_type, []).append(binding.external_id)
        return removals

    @api.model
    def _connector_upsert(self, backend, external_type, items, authorities=None, bound=None, **options):
        return self.env["connector.external.binding"]._upsert(
            backend, external_type, self._name, items, authorities=authorities, bound=bound, **options
        )

    def _connector_bindings(self, backend=None, external_type=None):
        """The bindings of these records for ``backend`` and ``external_type`` (each optional)."""
        return self.env["connector.external.binding"]._of_records(self, backend, external_type)

    @api.model
    def _connector_find(self, backend, external_type, external_ids):
        return self.env["connector.external.binding"]._find(backend, external_type, self._name, external_ids)

    def _connector_bind(self, backend, external_type, external_id):
        self.ensure_one()
        self.env["connector.external.binding"]._bind(backend, external_type, {str(external_id): self})

    @api.model
    def _connector_unbind(self, backend, external_type, external_ids):
        return self.env["connector.external.binding"]._unbind(backend, external_type, external_ids)

    @api.ondelete(at_uninstall=False)
    def _unlink_connector_bindings(self):
        # Bindings point at records without a foreign key (any model can be bound).
        self.env["connector.external.binding"]._of_records(self).unlink()
