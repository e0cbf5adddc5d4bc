from odoo import api, fields, models


class ConnectorPollCursor(models.Model):
    """Where the next poll of one container (a board, a sheet) of a backend starts."""

    _name = "connector.poll.cursor"
    _description = "Connector Poll Cursor"
    _order = "backend_model, backend_id, container"

    backend_model = fields.Char(required=True, readonly=True, index=True)
    backend_id = fields.Many2oneReference(model_field="backend_model", required=True, readonly=True)
    container = fields.Char(required=True, readonly=True, help="The platform id of what is polled.")
    cursor = fields.Char(readonly=True, help="The platform's position after the last change seen.")
    changed_at = fields.Datetime(string="Last change seen", readonly=True)

    _sql_constraints = [
        (
            "container_unique",
            "UNIQUE (backend_model, backend_id, container)",
            "A container has one cursor per backend.",
        ),
    ]

    @api.model
    def _for(self, backend, container):
        """The cursor row of ``container`` (created empty the first time)."""
        domain = [
            ("backend_model", "=", backend._name),
            ("backend_id", "=", backend.id),
            ("container", "=", str(container)),
        ]
        return self.search(domain, limit=1) or self.create(
            {"backend_model": backend._name, "backend_id": backend.id, "container": str(container)}
        )
