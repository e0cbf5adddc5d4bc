from odoo import api, fields, models
from odoo.tools import SQL

DIFFERENCE_KINDS = [
    ("missing_in_odoo", "On the platform, not bound in Odoo"),
    ("missing_on_platform", "Bound in Odoo, gone from the platform"),
    ("content", "Content differs"),
]


class ConnectorReconcileDifference(models.Model):
    """What a reconciliation found between bound records and the platform, with the fixes."""

    _name = "connector.reconcile.difference"
    _description = "Connector Reconciliation Difference"
    _order = "id desc"

    backend_model = fields.Char(required=True, index=True)
    backend_id = fields.Many2oneReference(model_field="backend_model", required=True, index=True)
    backend_label = fields.Char(string="Backend name")
    company_id = fields.Many2one("res.company", index=True)
    external_type = fields.Char(required=True)
    external_id = fields.Char(required=True)
    binding_id = fields.Many2one("connector.external.binding", ondelete="set null")
    record_ref = fields.Reference(related="binding_id.record_ref", string="Record")
    kind = fields.Selection(DIFFERENCE_KINDS, required=True)
    state = fields.Selection(
        [("open", "Open"), ("queued", "Fix queued"), ("unbound", "Unbound"), ("gone", "No longer differs")],
        default="open",
        required=True,
        index=True,
    )

    @api.model
    def _reconcile(self, backend, external_type, platform_hashes):
        """Compare ``platform_hashes`` ((external id, hash) pairs) with the bindings.

        A triple (external id, hash, differs) says itself whether the bound record
        holds other values than the platform object now, whichever side changed: a
        connector that can compare them gives it, and it decides instead of the hash
        (a record changed in Odoo and never exported differs though the platform did
        not change; an object Odoo created or already wrote does not). Replaces the
        open differences of this backend and type with what is found now; returns a
        job result.
        """
        platform, compared = {}, {}
        for external_id, platform_hash, *differs in platform_hashes:
            platform[external_id] = platform_hash
            if differs:
                compared[external_id] = bool(differs[0])
        self.env["connector.external.binding"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT external_id, id, content_hash FROM connector_external_binding
                 WHERE backend_model = %s AND backend_id = %s AND external_type = %s
                """,
                backend._name,
                backend.id,
                external_type,
            )
        )
        bound = {
            external_id: (binding_id, row_hash)
            for external_id, binding_id, row_hash in self.env.cr.fetchall()
        }
        found = [
            (external_id, None, "missing_in_odoo") for external_id in sorted(set(platform) - set(bound))
        ] + [
            (external_id, binding_id, "missing_on_platform" if external_id not in platform else "content")
            for external_id, (binding_id, row_hash) in sorted(bound.items())
            if external_id not in platform or compared.get(external_id, platform[external_id] != row_hash)
        ]
        previous = self.search(
            [
                ("backend_model", "=", backend._name),
                ("backend_id", "=", backend.id),
                ("external_type", "=", external_type),
                ("state", "=", "open"),
            ]
        )
        previous.write({"state": "gone"})
        self.create(
            [
                {
                    "backend_model": backend._name,
                    "backend_id": backend.id,
                    "backend_label": backend.display_name,
                    "company_id": backend.company_id.id,
                    "external_type": external_type,
                    "external_id": external_id,
                    "binding_id": binding_id,
                    "kind": kind,
                }
                for external_id, binding_id, kind in found
            ]
        )
        return {
            "skipped": len(bound) - sum(1 for _id, binding_id, _kind in found if binding_id),
            "summary": self.env._(
                "%(count)s difference(s) among %(platform)s platform and %(odoo)s bound objects",
                count=len(found),
                platform=len(platform),
                odoo=len(bound),
            ),
        }

    def _backend(self):
        return self.env[self.backend_model].browse(self.backend_id)

    def action_reimport(self):
        """Queue an import of the platform object (platform handler ``_job_import_record``)."""
        for difference in self.filtered(lambda d: d.state == "open" and d.kind != "missing_on_platform"):
            difference._backend()._connector_enqueue(
                "_job_import_record",
                {"external_type": difference.external_type, "external_id": difference.external_id},
                object_type=difference.external_type,
                identity_key=f"import:{difference.external_type}:{difference.external_id}",
            )
            difference.state = "queued"
        return True

    def action_reexport(self):
        bound = self.filtered(lambda d: d.state == "open" and d.binding_id)
        bound.binding_id.write({"export_hash": False})  # force the export past the unchanged-content check
        bound.binding_id._enqueue_exports()
        bound.write({"state": "queued"})
        return True

    def action_unbind(self):
        bound = self.filtered(lambda d: d.state == "open" and d.binding_id)
        bound.write({"state": "unbound"})
        bound.binding_id.unlink()
        return True
