from lxml import etree

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
                [("res_model", "=", self._name), ("res_id", "in", self.ids)], ["res_id"], ["__count"]
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
