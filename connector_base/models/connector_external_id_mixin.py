from odoo import api, fields, models

from .connector_external_binding import FROM_CONNECTOR


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

    def write(self, vals):
        result = super().write(vals)
        # Writes made by the connector itself never go back out: no ping-pong.
        if not self.env.context.get(FROM_CONNECTOR):
            self._connector_enqueue_exports(vals)
        return result

    def _connector_enqueue_exports(self, field_names):
        """One deduplicated export job per binding whose exported fields are among ``field_names``."""
        exported = self.env["connector.field.mapping"]._export_field_names(self._name)
        touched = {key for key, names in exported.items() if names.intersection(field_names)}
        if not touched or not self.ids:
            return
        bindings = (
            self.env["connector.external.binding"]
            .sudo()
            .search([("res_model", "=", self._name), ("res_id", "in", self.ids)])
        )
        bindings.filtered(
            lambda binding: (binding.backend_model, binding.backend_id, binding.external_type) in touched
        )._enqueue_exports()

    @api.model
    def _connector_upsert(self, backend, external_type, items, authorities=None):
        return self.env["connector.external.binding"]._upsert(
            backend, external_type, self._name, items, authorities=authorities
        )

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
        self.env["connector.external.binding"].sudo().search(
            [("res_model", "=", self._name), ("res_id", "in", self.ids)]
        ).unlink()
