import json

from odoo import api, fields, models
from odoo.tools import SQL

from ..lib.errors import ValidationError
from ..lib.sync import (
    QUIET_CREATE_CONTEXT,  # noqa: F401  (until the connectors import it from lib)
)

# What callers of the binding helpers read, fetched with the search.
BINDING_FIELDS = [
    "backend_model",
    "backend_id",
    "external_type",
    "external_id",
    "res_model",
    "res_id",
    "content_hash",
    "export_hash",
]


class ConnectorExternalBinding(models.Model):
    """(backend, external type, external id) <-> one Odoo record.

    The two unique constraints are the whole guarantee: whatever races happen
    between workers, an external object maps to one record and a record to one
    external object of a type, per backend. One record may be bound to several
    backends.
    """

    _name = "connector.external.binding"
    _description = "Connector External Binding"
    _order = "id desc"

    backend_model = fields.Char(required=True, index=True)
    backend_id = fields.Many2oneReference(model_field="backend_model", required=True, index=True)
    external_type = fields.Char(required=True)
    external_id = fields.Char(required=True)
    res_model = fields.Char(string="Odoo model", required=True, index=True)
    res_id = fields.Many2oneReference(
        string="Odoo record id", model_field="res_model", required=True, index=True
    )
    record_ref = fields.Reference(
        selection="_selection_models", compute="_compute_record_ref", string="Record"
    )
    company_id = fields.Many2one("res.company", index=True)
    external_updated_at = fields.Datetime(help="Modification time of the external object when last synced.")
    content_hash = fields.Char(help="Fingerprint of the values last synced.")
    synced_at = fields.Datetime(string="Last sync")
    external_url = fields.Char(
        string="Link", compute="_compute_external_url", help="The object on the platform."
    )
    platform = fields.Char(compute="_compute_external_url")
    export_hash = fields.Char(help="Fingerprint of the platform values last exported.", copy=False)
    synced_values = fields.Json(
        copy=False, help="Odoo values as last synced: tells which side changed a field since then."
    )
    external_version = fields.Char(
        copy=False,
        help="The platform's version of the object as last synced, read or written by the "
        "connector (Podio: the item's revision number).",
    )

    _sql_constraints = [
        (
            "external_unique",
            "UNIQUE (backend_model, backend_id, external_type, external_id)",
            "This external object is already bound to another record for this backend.",
        ),
        (
            "record_unique",
            "UNIQUE (backend_model, backend_id, external_type, res_model, res_id)",
            "This record is already bound to another external object of this type for this backend.",
        ),
    ]

    @api.model
    def _selection_models(self):
        return [(model.model, model.name) for model in self.env["ir.model"].sudo().search([])]

    @api.depends("res_model", "res_id")
    def _compute_record_ref(self):
        for binding in self:
            valid = binding.res_model in self.env and binding.res_id
            binding.record_ref = f"{binding.res_model},{binding.res_id}" if valid else False

    def _compute_external_url(self):
        urls = self._external_urls()
        for binding in self:
            backend = self.env.get(binding.backend_model)
            binding.external_url = urls.get(binding.id, False)
            binding.platform = backend._connector_platform_name() if backend is not None else False

    def _external_urls(self):
        """{binding id: the platform object's address}, asked of each backend once."""
        urls = {}
        for (model_name, backend_id), bindings in self.grouped(
            lambda binding: (binding.backend_model, binding.backend_id)
        ).items():
            if model_name in self.env:
                urls.update(self.env[model_name].sudo().browse(backend_id)._connector_external_urls(bindings))
        return urls

    # ------------------------------------------------------------------ lookups
    @api.model
    def _domain_for(self, backend=None, external_type=None, records=None, external_ids=None):
        """The domain of the bindings of ``records`` or ``external_ids`` for ``backend`` and
        ``external_type``; each one left out matches everything.

        ``backend``: a backend recordset; an empty one means every backend of its model.
        ``external_type``: a type or a list of types.
        """
        domain = []
        if backend is not None:
            domain.append(("backend_model", "=", backend._name))
            if backend.ids:
                domain.append(("backend_id", "in", backend.ids))
        if external_type is not None:
            types = [external_type] if isinstance(external_type, str) else list(external_type)
            domain.append(("external_type", "in", types))
        if records is not None:
            domain += [("res_model", "=", records._name), ("res_id", "in", records.ids)]
        if external_ids is not None:
            domain.append(("external_id", "in", [str(external_id) for external_id in external_ids]))
        return domain

    @api.model
    def _of_records(self, records, backend=None, external_type=None):
        """The bindings of ``records`` for ``backend`` and ``external_type``, in one query."""
        return self.sudo().search_fetch(
            self._domain_for(backend, external_type, records=records), BINDING_FIELDS
        )

    @api.model
    def _of_external_ids(self, backend, external_type, external_ids=None):
        """The bindings of ``external_ids`` (every one of the type when None), in one query."""
        return self.sudo().search_fetch(
            self._domain_for(backend, external_type, external_ids=external_ids), BINDING_FIELDS
        )

    @api.model
    def _lookup(self, backend, external_type, external_ids):
        """{external id: (binding id, record id, content hash)} in one query."""
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT external_id, id, res_id, content_hash FROM connector_external_binding
                 WHERE backend_model = %s AND backend_id = %s AND external_type = %s
                   AND external_id = ANY(%s)
                """,
                backend._name,
                backend.id,
                external_type,
                [str(external_id) for external_id in external_ids],
            )
        )
        return {row[0]: row[1:] for row in self.env.cr.fetchall()}

    @api.model
    def _external_ids(self, backend, external_type):
        """Every external id bound for ``backend`` and ``external_type``, in one query (a plain
        column read: a sheet compares tens of thousands of row ids at once)."""
        self.flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT external_id FROM connector_external_binding"
                " WHERE backend_model = %s AND backend_id = %s AND external_type = %s",
                backend._name,
                backend.id,
                external_type,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _external_versions(self, backend, external_type, external_ids):
        """{external id: version last synced} of the bound ones among ``external_ids``, in one query."""
        self.flush_model(["external_version"])
        self.env.cr.execute(
            SQL(
                """
                SELECT external_id, external_version FROM connector_external_binding
                 WHERE backend_model = %s AND backend_id = %s AND external_type = %s
                   AND external_id = ANY(%s)
                """,
                backend._name,
                backend.id,
                external_type,
                [str(external_id) for external_id in external_ids],
            )
        )
        return dict(self.env.cr.fetchall())

    @api.model
    def _set_external_versions(self, backend, external_type, versions):
        """Record {external id: version} as last synced, in one query; a binding already at its
        version is not written."""
        if not versions:
            return
        self.flush_model(["external_version"])
        self.env.cr.execute(
            SQL(
                """
                UPDATE connector_external_binding binding
                   SET external_version = v.version
                  FROM (VALUES %s) AS v(external_id, version)
                 WHERE binding.backend_model = %s AND binding.backend_id = %s
                   AND binding.external_type = %s AND binding.external_id = v.external_id
                   AND binding.external_version IS DISTINCT FROM v.version
                """,
                SQL(", ").join(
                    SQL(
                        "(%s::varchar, %s::varchar)",
                        str(external_id),
                        None if version is None else str(version),
                    )
                    for external_id, version in versions.items()
                ),
                backend._name,
                backend.id,
                external_type,
            )
        )
        self.invalidate_model(["external_version"])

    def _held_fields(self):
        """The fields of this binding an open conflict holds: neither side overwrites them."""
        self.ensure_one()
        conflicts = (
            self.env["connector.sync.conflict"]
            .sudo()
            .search_fetch([("binding_id", "=", self.id), ("state", "=", "open")], ["field_name"])
        )
        return set(conflicts.mapped("field_name"))

    @api.model
    def _find(self, backend, external_type, model_name, external_ids):
        """{external id: record} for the bound ones among ``external_ids``."""
        found = self._lookup(backend, external_type, external_ids)
        records = self.env[model_name].browse([row[1] for row in found.values()])
        by_id = {record.id: record for record in records}
        return {external_id: by_id[row[1]] for external_id, row in found.items()}

    # ------------------------------------------------------------------ writes
    @api.model
    def _insert(self, backend, external_type, model_name, rows):
        """Insert bindings; ``rows`` are (external id, record id, hash, external updated at, synced
        values), optionally followed by the object's version as read (``external_version``).

        Returns the external ids actually inserted: a row that collides with an
        existing binding is left out, and the caller decides what that means.
        """
        if not rows:
            return set()
        now = fields.Datetime.now()
        company_id = backend.company_id.id if "company_id" in backend._fields else None
        # What differs from row to row goes in VALUES; what all rows share is stated once
        # (a page of 100 bindings sends 600 parameters instead of 1,600).
        values = SQL(", ").join(
            SQL(
                "(%s, %s::int, %s::timestamp, %s, %s::jsonb, %s)",
                str(external_id),
                res_id,
                updated_at,
                row_hash,
                synced and json.dumps(synced, default=str),
                None if not version or version[0] is None else str(version[0]),
            )
            for external_id, res_id, row_hash, updated_at, synced, *version in rows
        )
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO connector_external_binding
                    (backend_model, backend_id, external_type, external_id, res_model, res_id,
                     company_id, external_updated_at, content_hash, synced_values, external_version,
                     synced_at,
                     create_uid, write_uid, create_date, write_date)
                SELECT %(backend_model)s, %(backend_id)s, %(external_type)s, v.external_id, %(res_model)s,
                       v.res_id, %(company_id)s, v.updated_at, v.content_hash, v.synced_values, v.version,
                       %(now)s, %(uid)s, %(uid)s, %(now)s, %(now)s
                  FROM (VALUES %(values)s)
                    AS v(external_id, res_id, updated_at, content_hash, synced_values, version)
                ON CONFLICT DO NOTHING
                RETURNING external_id
                """,
                backend_model=backend._name,
                backend_id=backend.id,
                external_type=external_type,
                res_model=model_name,
                company_id=company_id,
                now=now,
                uid=self.env.uid,
                values=values,
            )
        )
        inserted = {row[0] for row in self.env.cr.fetchall()}
        Model = self.env[model_name]
        if "connector_binding_ids" in Model._fields:
            Model.invalidate_model(["connector_binding_ids"])
        return inserted

    @api.model
    def _bind(self, backend, external_type, records_by_external_id):
        """Bind existing records: {external id: record}. Binding the same pair twice is a no-op."""
        model_name = next(iter(records_by_external_id.values()))._name if records_by_external_id else None
        rows = [
            (str(ext_id), record.id, None, None, None) for ext_id, record in records_by_external_id.items()
        ]
        inserted = self._insert(backend, external_type, model_name, rows)
        rejected = set(records_by_external_id) - inserted
        if rejected:
            existing = self._lookup(backend, external_type, rejected)
            clashes = sorted(
                ext_id
                for ext_id in rejected
                if ext_id not in existing or existing[ext_id][1] != records_by_external_id[ext_id].id
            )
            if clashes:
                raise ValidationError(
                    self.env._(
                        "Cannot bind %(type)s %(ids)s: already bound to other records for %(backend)s.",
                        type=external_type,
                        ids=", ".join(clashes),
                        backend=backend.display_name,
                    )
                )
        self.invalidate_model()

    def _enqueue_exports(self):
        """One deduplicated export job per binding, on its backend."""
        Job = self.env["connector.sync.job"].sudo()
        vals_list = []
        urls = self._external_urls()
        for binding in self:
            backend = self.env[binding.backend_model].browse(binding.backend_id)
            record = (
                self.env[binding.res_model].browse(binding.res_id) if binding.res_model in self.env else None
            )
            vals_list.append(
                backend._connector_job_values(
                    "_job_export_record",
                    {"binding_id": binding.id},
                    kind="export",
                    name=self.env._(
                        "Export %(model)s %(record)s to %(backend)s",
                        model=record._description.lower() if record is not None else binding.res_model,
                        record=record.display_name if record else binding.res_id,
                        backend=backend.display_name,
                    ),
                    object_name=f"{binding.external_type} {binding.external_id}",
                    object_url=urls.get(binding.id),
                    object_type=binding.external_type,
                    external_id=binding.external_id,
                    identity_key=f"export:{binding.id}",
                )
            )
        vals_list += self._export_batch_job_values()
        return Job._enqueue(vals_list) if vals_list else Job

    def _export_batch_job_values(self):
        """One batch job per backend and object type, for backends that export in batches.

        It runs before the per-binding jobs (lower priority number) and claims them;
        see ``connector.backend.mixin._job_export_batch``.
        """
        vals_list, seen = [], set()
        for binding in self:
            key = (binding.backend_model, binding.backend_id, binding.external_type)
            backend = self.env[binding.backend_model].browse(binding.backend_id)
            if key in seen or not backend._connector_export_batch_size:
                continue
            seen.add(key)
            vals_list.append(
                backend._connector_job_values(
                    "_job_export_batch",
                    {"object_type": binding.external_type},
                    kind="export",
                    name=self.env._(
                        "Send the changes of %(type)s to %(backend)s in batches",
                        type=binding.external_type,
                        backend=backend.display_name,
                    ),
                    object_type=binding.external_type,
                    identity_key=f"export_batch:{binding.external_type}",
                    priority=5,
                )
            )
        return vals_list

    @api.model
    def _unbind(self, backend, external_type, external_ids):
        bindings = self._of_external_ids(backend, external_type, external_ids)
        bindings.unlink()
        return len(bindings)
