from odoo import api, fields, models
from odoo.tools import SQL, split_every

from ..lib.sync import comparable

DIFFERENCE_KINDS = [
    ("missing_in_odoo", "On the platform, not bound in Odoo"),
    ("missing_on_platform", "Bound in Odoo, gone from the platform"),
    ("content", "Content differs"),
    ("changed_in_odoo", "Changed in Odoo, not sent to the platform"),
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
    def _reconcile(self, backend, external_type, platform_hashes, scope=None):
        """Compare ``platform_hashes`` ((external id, hash) pairs) with the bindings (those
        whose external ids are in ``scope``, when given: what the platform listing covers).

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
        covered = None if scope is None else set(scope)
        bound = {
            external_id: (binding_id, row_hash)
            for external_id, binding_id, row_hash in self.env.cr.fetchall()
            if covered is None or external_id in covered
        }
        found = [
            (external_id, None, "missing_in_odoo") for external_id in sorted(set(platform) - set(bound))
        ] + [
            (external_id, binding_id, "missing_on_platform" if external_id not in platform else "content")
            for external_id, (binding_id, row_hash) in sorted(bound.items())
            if external_id not in platform or compared.get(external_id, platform[external_id] != row_hash)
        ]
        # The platform object is as last synced: is its record too?
        in_step = {
            binding_id: external_id
            for external_id, (binding_id, row_hash) in bound.items()
            if platform.get(external_id) == row_hash
        }
        found += [
            (in_step[binding_id], binding_id, "changed_in_odoo")
            for binding_id in sorted(self._changed_in_odoo(backend, list(in_step)), key=in_step.get)
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

    @api.model
    def _changed_in_odoo(self, backend, binding_ids):
        """Ids of the bindings whose record differs from the values last synced, with no export
        pending or running to send it: an Odoo change the platform never got."""
        Binding = self.env["connector.external.binding"].sudo()
        changed = set()
        for chunk in split_every(1000, binding_ids):
            bindings = Binding.browse(chunk)
            for model_name in set(bindings.mapped("res_model")):
                group = bindings.filtered(lambda binding, name=model_name: binding.res_model == name)
                Model = self.env[model_name].sudo().with_context(active_test=False)
                records = {record.id: record for record in Model.browse(group.mapped("res_id")).exists()}
                for binding in group:
                    record = records.get(binding.res_id)
                    if record and _differs_from(record, binding.synced_values or {}):
                        changed.add(binding.id)
        if not changed:
            return changed
        self.env["connector.sync.job"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT (payload->>'binding_id')::int FROM connector_sync_job
                 WHERE backend_model = %s AND backend_id = %s AND method_name = '_job_export_record'
                   AND state IN ('pending', 'running')
                """,
                backend._name,
                backend.id,
            )
        )
        return changed - {row[0] for row in self.env.cr.fetchall()}

    def _backend(self):
        return self.env[self.backend_model].browse(self.backend_id)

    def action_reimport(self):
        """Queue an import of the platform object (platform handler ``_job_import_record``).

        The platform's version wins: the binding forgets what was synced, so the import
        rewrites the record even where Odoo changed it.
        """
        reimported = self.filtered(lambda d: d.state == "open" and d.kind != "missing_on_platform")
        reimported.binding_id.write({"content_hash": False, "synced_values": None})
        for difference in reimported:
            difference._backend()._connector_enqueue(
                "_job_import_record",
                {"external_type": difference.external_type, "external_id": difference.external_id},
                name=self.env._(
                    "Import %(type)s %(id)s again",
                    type=difference.external_type,
                    id=difference.external_id,
                ),
                object_name=f"{difference.external_type} {difference.external_id}",
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


def _differs_from(record, synced):
    """Whether ``record`` holds another value than ``synced`` ({field: value}) for one of its fields."""
    return any(
        comparable(record._fields[name].convert_to_write(record[name], record)) != comparable(value)
        for name, value in synced.items()
        if name in record._fields
    )
