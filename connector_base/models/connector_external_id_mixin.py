from odoo import api, fields, models


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

    @api.model
    def _connector_upsert(self, backend, external_type, items):
        return self.env["connector.external.binding"]._upsert(backend, external_type, self._name, items)

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
