import json

from odoo import fields, models
from odoo.tools import SQL

from ..lib.mapping import MappingError
from ..lib.sync import content_hash


class ConnectorBackendExport(models.AbstractModel):
    """Export jobs of a backend: exporting one record or a batch, creating remote objects once."""

    # One concern per file: several files of this addon extend this model.
    _inherit = "connector.backend.mixin"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ batched export
    # Records per platform call, for platforms that write many at once (Smartsheet: 500 rows).
    # A backend setting it implements _export_records; the export jobs of one object type are
    # then claimed and sent together by _job_export_batch, each ending done or failed on its own.
    _connector_export_batch_size = 0
    # True where _connector_export_values leaves out the fields an open conflict holds
    # (binding._held_fields()): the export then does not count them as synced.
    _connector_export_holds_conflicts = False

    # ------------------------------------------------------------------ export
    def _job_export_record(self, job):
        """Push one bound record to the platform, unless what it would send is unchanged."""
        binding = self.env["connector.external.binding"].browse(job.payload["binding_id"]).exists()
        record = binding and self.env[binding.res_model].browse(binding.res_id).exists()
        if not record:
            return {"skipped": 1, "summary": self.env._("The record or its binding no longer exists.")}
        mapper = self.env["connector.field.mapping"]._get_mapper(
            self, binding.external_type, binding.res_model
        )
        external_values = self._connector_export_values(binding, record, mapper)
        export_hash = content_hash(external_values)
        if export_hash == binding.export_hash:
            return {"skipped": 1}
        external_updated_at = self._export_record(binding, record, external_values)
        self._connector_export_done(binding, record, export_hash, external_updated_at)
        return {"updated": 1}

    def _connector_export_done(self, binding, record, export_hash, external_updated_at):
        """Remember what was exported, so the same values are not sent again. On a backend whose
        exports leave out the fields an open conflict holds, those keep their past synced value
        (both sides still differ from it)."""
        held = binding._held_fields() if self._connector_export_holds_conflicts else ()
        snapshot = {
            name: field.convert_to_write(record[name], record)
            for name in (binding.synced_values or {})
            if (field := record._fields.get(name)) and name not in held
        }
        # Stored as JSON, the way the import stores what it synced (dates as text).
        snapshot = json.loads(json.dumps(snapshot, default=str))
        binding.write(
            {
                "export_hash": export_hash,
                "synced_values": {**(binding.synced_values or {}), **snapshot},
                "synced_at": fields.Datetime.now(),
                **({"external_updated_at": external_updated_at} if external_updated_at else {}),
            }
        )

    def _connector_export_values(self, binding, record, mapper):
        """The platform values of ``record`` an export sends: its mapped fields (platform hook).

        Platforms whose structure is not a field mapping (a Trello card's list, labels and
        members) add those values here, so they count in the export hash too.
        """
        return mapper.to_external(record)

    def _export_record(self, binding, record, external_values):
        """Write ``external_values`` to the platform object of ``binding`` (platform hook).

        Sends the platform's loop-prevention marker where it has one; returns the
        object's new modification time, or None. Raises the typed errors of
        ``lib.errors``.
        """
        raise NotImplementedError(f"{self._name} does not export {binding.external_type} records")

    # ------------------------------------------------------------------ create once
    def _connector_create_once(self, external_type, record, create, find):
        """Create ``record``'s object on the platform at most once, whatever point a worker
        dies at; returns (the platform object, whether this call created it).

        ``create(token)`` makes the platform call; a platform that stores a client-side
        key (Podio's ``external_id``) is sent ``token``. ``find(token, started_at)``
        returns the object an earlier attempt created, or None: looked up by the token
        where the platform stores it, else by what was sent and created after
        ``started_at`` (Trello: a card of that name in that list). It is only called
        when an earlier attempt recorded the same intent and died or lost the answer.
        The caller binds the record in this transaction: the intent goes with it.
        """
        self.ensure_one()
        Intent = self.env["connector.create.intent"].sudo()
        token, started_at, retried = Intent._open(self, external_type, record)
        found = find(token, started_at) if retried else None
        external = found or create(token)
        Intent._close(self, external_type, record)
        return external, not found

    def _connector_create_each_once(self, external_type, records, create, find):
        """:meth:`_connector_create_once` for a platform call that creates several objects
        (Smartsheet adds up to 500 rows at once); returns (found, what ``create`` answered).

        ``find(retried, started_at)`` is called only when an earlier attempt recorded
        the intents of ``retried`` (the oldest at ``started_at``) and died or lost the
        answer; it returns {record id: the object that attempt created}, each object
        taken once. ``create(records)`` is then called with the records left, if any,
        and its answer returned as is. The caller binds the records in this transaction.
        """
        self.ensure_one()
        Intent = self.env["connector.create.intent"].sudo()
        intents = Intent._open_many(self, external_type, records)
        retried = records.filtered(lambda record: intents[record.id][2])
        found = find(retried, min(intents[record.id][1] for record in retried)) if retried else {}
        left = records.filtered(lambda record: record.id not in found)
        answer = create(left) if left else None
        Intent._close(self, external_type, records)
        return found, answer

    def _export_records(self, items):
        """Write several bound records in as few calls as the platform allows (platform hook).

        ``items``: (binding, record, external values) triples. Returns {binding id:
        the object's new modification time or None, or the ``ConnectorError`` the
        platform gave for that record}: one refused record never fails the others.
        An error of the whole call is raised.
        """
        raise NotImplementedError(f"{self._name} does not export records in batches")

    def _job_export_batch(self, job):
        """Send the pending export jobs of one object type together, a batch at a time.

        The per-record jobs are claimed here, so the runner never runs them on their
        own; each ends skipped, done, or failed with its own record's error. When the
        whole call fails, everything rolls back: the claimed jobs are pending again
        and this job is retried.
        """
        object_type = job.payload["object_type"]
        Binding = self.env["connector.external.binding"]
        totals = {"updated": 0, "skipped": 0, "failed": 0}
        while claimed := self._claim_export_jobs(object_type):
            jobs = {job_id: self.env["connector.sync.job"].browse(job_id) for job_id, _binding_id in claimed}
            bindings = Binding.browse([binding_id for _job_id, binding_id in claimed]).exists()
            ready, refused = self._connector_export_prepare(bindings)
            items = [(binding, *ready[binding.id][:2]) for binding in bindings if binding.id in ready]
            outcome = self._export_records(items) if items else {}
            for job_id, binding_id in claimed:
                result = outcome.get(binding_id, refused.get(binding_id))
                if binding_id not in ready and binding_id not in refused:
                    jobs[job_id]._mark_done({"skipped": 1}, 0.0)
                    totals["skipped"] += 1
                elif isinstance(result, Exception):
                    jobs[job_id]._mark_failed(result, "", 0.0)
                    totals["failed"] += 1
                else:
                    record, _values, export_hash = ready[binding_id]
                    self._connector_export_done(Binding.browse(binding_id), record, export_hash, result)
                    jobs[job_id]._mark_done({"updated": 1}, 0.0)
                    totals["updated"] += 1
        summary = self.env._(
            "%(updated)s exported, %(failed)s failed, %(skipped)s unchanged",
            updated=totals["updated"],
            failed=totals["failed"],
            skipped=totals["skipped"],
        )
        return {"updated": totals["updated"], "skipped": totals["skipped"], "summary": summary}

    def _claim_export_jobs(self, object_type):
        """[(job id, binding id)] of up to one batch of due export jobs of ``object_type``, now running."""
        self.env["connector.sync.job"].flush_model()
        # A CTE runs its locking SELECT once: inside ``id IN (...)``, a nested-loop
        # plan rescans it per row and claims past the LIMIT.
        self.env.cr.execute(
            SQL(
                """
                WITH claim AS MATERIALIZED (
                    SELECT id FROM connector_sync_job
                     WHERE state = 'pending' AND method_name = '_job_export_record'
                       AND backend_model = %(model)s AND backend_id = %(id)s AND object_type = %(type)s
                       AND next_attempt_at <= %(now)s
                     ORDER BY id
                     LIMIT %(limit)s
                       FOR UPDATE SKIP LOCKED)
                UPDATE connector_sync_job job
                   SET state = 'running', attempts = attempts + 1, finished_at = NULL,
                       started_at = %(now)s, write_date = %(now)s
                  FROM claim
                 WHERE job.id = claim.id
             RETURNING job.id, (job.payload->>'binding_id')::int
                """,
                now=fields.Datetime.now(),
                model=self._name,
                id=self.id,
                type=object_type,
                limit=self._connector_export_batch_size,
            )
        )
        claimed = sorted(self.env.cr.fetchall())
        self.env["connector.sync.job"].invalidate_model()
        return claimed

    def _connector_export_prepare(self, bindings):
        """What the bindings would send, read and mapped together.

        Returns ({binding id: (record, external values, hash)} for the records with
        something new to send, {binding id: MappingError} for those that cannot be
        mapped); a binding in neither has nothing to send.
        """
        ready, refused = {}, {}
        groups = {}
        for binding in bindings:
            groups.setdefault((binding.external_type, binding.res_model), []).append(binding)
        for (external_type, model_name), bound in groups.items():
            existing = set(self.env[model_name].browse([binding.res_id for binding in bound]).exists().ids)
            group = [binding for binding in bound if binding.res_id in existing]
            records = self.env[model_name].browse([binding.res_id for binding in group])
            mapper = self.env["connector.field.mapping"]._get_mapper(self, external_type, model_name)
            try:
                values_list = mapper.to_external_batch(records)
            except MappingError:
                # Map them one by one to tell the refused records from the others.
                values_list = []
                for binding, record in zip(group, records, strict=True):
                    try:
                        values_list.append(mapper.to_external(record))
                    except MappingError as error:
                        refused[binding.id] = error
                        values_list.append(None)
            for binding, record, values in zip(group, records, values_list, strict=True):
                export_hash = values is not None and content_hash(values)
                if values is not None and export_hash != binding.export_hash:
                    ready[binding.id] = (record, values, export_hash)
        return ready, refused
