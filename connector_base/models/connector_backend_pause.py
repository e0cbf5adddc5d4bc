from odoo import api, fields, models


class ConnectorBackendPause(models.Model):
    """A pause keeps jobs queued without running them.

    One row pauses a backend, or one object type of it; a row without a backend
    pauses everything (used by database neutralization). The job claim query
    reads this table directly, whatever model the backend is.
    """

    _name = "connector.backend.pause"
    _description = "Connector Backend Pause"
    _order = "id desc"

    backend_model = fields.Char(index=True, help="Empty: every backend is paused.")
    backend_id = fields.Many2oneReference(model_field="backend_model", index=True)
    object_type = fields.Char(help="Empty: every object type of the backend is paused.")
    reason = fields.Char()
    resume_at = fields.Datetime(
        help="Empty: until someone resumes it. Set by the circuit breaker for its cool-down."
    )

    _sql_constraints = [
        (
            "backend_or_nothing",
            "CHECK ((backend_model IS NULL) = (backend_id IS NULL OR backend_id = 0))",
            "A pause names both a backend model and a backend, or neither.",
        ),
    ]

    @api.depends("backend_model", "backend_id", "object_type")
    def _compute_display_name(self):
        for pause in self:
            if not pause.backend_model:
                pause.display_name = self.env._("All backends")
                continue
            backend = self.env[pause.backend_model].browse(pause.backend_id).exists()
            name = backend.display_name if backend else f"{pause.backend_model},{pause.backend_id}"
            pause.display_name = f"{name} / {pause.object_type}" if pause.object_type else name
