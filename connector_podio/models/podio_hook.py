from odoo import fields, models

HOOK_STATUSES = [("inactive", "Waiting for verification"), ("active", "Active")]


class PodioHook(models.Model):
    """A hook Podio keeps on a linked app: it posts the app's item events to the backend."""

    _name = "podio.hook"
    _description = "Podio Hook"
    _order = "app_link_id, hook_type"

    app_link_id = fields.Many2one("podio.app", required=True, ondelete="cascade", index=True)
    backend_id = fields.Many2one(related="app_link_id.backend_id", store=True, index=True)
    company_id = fields.Many2one(related="app_link_id.company_id", store=True)
    hook_id = fields.Char(string="Podio hook ID", required=True, readonly=True)
    hook_type = fields.Char(string="Event", required=True, readonly=True)
    status = fields.Selection(HOOK_STATUSES, required=True, default="inactive", readonly=True)

    _sql_constraints = [
        ("hook_unique", "UNIQUE (backend_id, hook_id)", "This hook is already known."),
    ]
