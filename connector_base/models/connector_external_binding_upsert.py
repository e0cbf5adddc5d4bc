import json

from odoo import api, fields, models
from odoo.tools import SQL

from ..lib.errors import ConcurrencyError
from ..lib.sync import (
    FROM_CONNECTOR,
    QUIET_CREATE_CONTEXT,  # noqa: F401  (until the connectors import it from lib)
    UpsertResult,
    comparable,
    content_hash,
)


class ConnectorExternalBindingUpsert(models.Model):
    """Upserting imported objects through their bindings: changed values, conflicts, hashes."""

    # One concern per file: several files of this addon extend this model.
    _inherit = "connector.external.binding"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _upsert(
        self, backend, external_type, model_name, items, authorities=None, bound=None, keep_synced_values=True
    ):
        """Create or update the records of ``items`` and their bindings, idempotently.

        ``items``: dicts with ``external_id``, ``values`` (ORM values) and optionally
        ``external_updated_at``, ``create_values`` (ORM values given to a new
        record only: where an import puts a record, which Odoo may change later) and
        ``external_version`` (the object's version as read, stored on a new binding
        in its insert: ``_set_external_versions`` then has nothing to write for it).
        Unchanged values (same content hash) are skipped without any write.
        Queries: one lookup, one batch create and one batch binding insert for new
        records, one write per changed record and one batch hash update.

        ``bound``: the caller's own :meth:`_lookup` of (at least) these external ids in
        this transaction, when it needed one before (to match only the unbound objects):
        the upsert then makes none. Objects the caller bound since must be in it.
        The result's ``created_ids`` are the external ids whose records (and bindings,
        with their ``external_version``) it created.

        ``authorities`` ({field: 'odoo' | 'platform' | 'newest' | ''}) decides a
        field changed on both sides since the last sync: '' records a
        ``connector.sync.conflict`` for a person and leaves the field alone. Without
        it the platform wins.

        ``keep_synced_values=False``: for objects only ever imported (no export, no mapping
        authority: Sprout's inbox messages), the bindings keep no copy of the values synced,
        which only tells which side changed a field since: an import stores less.
        """
        latest = {str(item["external_id"]): item for item in items}
        hashes = {ext_id: content_hash(item["values"]) for ext_id, item in latest.items()}
        if bound is None:
            bound = self._lookup(backend, external_type, latest)
        else:
            bound = {ext_id: row for ext_id, row in bound.items() if ext_id in latest}
        result = UpsertResult()
        Model = self.env[model_name].with_context(**{FROM_CONNECTOR: True})

        to_create = [ext_id for ext_id in latest if ext_id not in bound]
        if to_create:
            records = Model.create(
                [
                    {**latest[ext_id]["values"], **latest[ext_id].get("create_values", {})}
                    for ext_id in to_create
                ]
            )
            rows = [
                (
                    ext_id,
                    record.id,
                    hashes[ext_id],
                    latest[ext_id].get("external_updated_at"),
                    latest[ext_id]["values"] if keep_synced_values else None,
                    latest[ext_id].get("external_version"),
                )
                for ext_id, record in zip(to_create, records, strict=True)
            ]
            inserted = self._insert(backend, external_type, model_name, rows)
            if len(inserted) != len(rows):
                # Another job bound the same objects meanwhile: roll back and let
                # the retry update what the other job created.
                raise ConcurrencyError(
                    f"{external_type} objects were imported concurrently for {backend.display_name}; retrying"
                )
            result.created = len(records)
            result.created_ids.update(to_create)
            result.record_ids.update(dict(zip(to_create, records.ids, strict=True)))

        changed = {}
        for ext_id, (binding_id, res_id, old_hash) in bound.items():
            result.record_ids[ext_id] = res_id
            if old_hash == hashes[ext_id]:
                result.skipped += 1
            else:
                changed[binding_id] = ext_id
        if not changed:
            return result

        synced_by_binding = self._synced_values(changed) if authorities else {}
        # Iterated rather than browsed one by one: the records share one prefetch.
        records = {
            record.id: record for record in Model.browse([bound[ext_id][1] for ext_id in changed.values()])
        }
        updates = []
        for binding_id, ext_id in changed.items():
            item = latest[ext_id]
            record = records[bound[ext_id][1]]
            values, synced = item["values"], item["values"]
            if binding_id in synced_by_binding:
                values, synced = self._settle_conflicts(
                    record, binding_id, item, synced_by_binding[binding_id], authorities
                )
            # What Odoo already holds is not written again: an object re-read after our
            # own export (its hash is the last import's) leaves its record untouched.
            values = self._differing_values(record, values)
            if values:
                record.write(values)
            updates.append(
                (
                    binding_id,
                    hashes[ext_id],
                    item.get("external_updated_at"),
                    synced if keep_synced_values else None,
                )
            )
        result.updated = len(updates)
        self._update_hashes(updates)
        return result

    @api.model
    def _differing_values(self, record, values):
        """The ``values`` that differ from what ``record`` holds."""
        return {
            name: value
            for name, value in values.items()
            if comparable(value) != comparable(record._fields[name].convert_to_write(record[name], record))
        }

    @api.model
    def _synced_values(self, binding_ids):
        self.env.cr.execute(
            SQL(
                "SELECT id, synced_values FROM connector_external_binding WHERE id = ANY(%s)",
                list(binding_ids),
            )
        )
        return {row[0]: row[1] for row in self.env.cr.fetchall() if row[1] is not None}

    @api.model
    def _settle_conflicts(self, record, binding_id, item, synced, authorities):
        """Values to write and the new synced snapshot, once both-sides changes are decided."""
        incoming = json.loads(json.dumps(item["values"], default=str))
        to_write, snapshot = {}, dict(synced)
        export_needed = False
        for name, value in item["values"].items():
            field = record._fields[name]
            current = comparable(field.convert_to_write(record[name], record))
            platform_changed = comparable(incoming[name]) != comparable(synced.get(name))
            odoo_changed = name in synced and current != comparable(synced[name])
            if not platform_changed:
                continue  # whatever Odoo holds now is the newer value
            if not odoo_changed or comparable(incoming[name]) == current:
                to_write[name] = value
                snapshot[name] = incoming[name]
                continue
            winner = self._conflict_winner(authorities.get(name) or "", record, item)
            if winner == "platform":
                to_write[name] = value
                snapshot[name] = incoming[name]
            elif winner == "odoo":
                # Odoo's value stands; the snapshot keeps the old value so a re-import
                # before the export lands decides the same way.
                export_needed = True
            else:
                self.env["connector.sync.conflict"]._record(binding_id, name, current, incoming[name], item)
        if export_needed:
            self.browse(binding_id)._enqueue_exports()
        return to_write, snapshot

    @api.model
    def _conflict_winner(self, authority, record, item):
        if authority in ("odoo", "platform"):
            return authority
        if authority == "newest" and item.get("external_updated_at"):
            external = fields.Datetime.to_datetime(item["external_updated_at"])
            return "platform" if external > record.write_date else "odoo"
        return "person"

    @api.model
    def _update_hashes(self, rows):
        """Record (binding id, hash, external updated at, synced values) after a sync, in one query."""
        if not rows:
            return
        now = fields.Datetime.now()
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                UPDATE connector_external_binding binding
                   SET content_hash = v.content_hash,
                       external_updated_at = COALESCE(v.updated_at, binding.external_updated_at),
                       synced_values = COALESCE(v.synced_values, binding.synced_values),
                       synced_at = %s, write_date = %s, write_uid = %s
                  FROM (VALUES %s) AS v(id, content_hash, updated_at, synced_values)
                 WHERE binding.id = v.id
                """,
                now,
                now,
                self.env.uid,
                SQL(", ").join(
                    SQL(
                        "(%s::int, %s::varchar, %s::timestamp, %s::jsonb)",
                        binding_id,
                        row_hash,
                        updated_at,
                        synced and json.dumps(synced, default=str),
                    )
                    for binding_id, row_hash, updated_at, synced in rows
                ),
            )
        )
        self.invalidate_model(
            ["content_hash", "external_updated_at", "synced_values", "synced_at", "write_date", "write_uid"]
        )
