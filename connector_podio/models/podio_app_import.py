from datetime import timedelta

from odoo import fields, models

from odoo.addons.connector_base.lib.errors import ValidationError
from odoo.addons.connector_base.lib.sync import QUIET_CREATE_CONTEXT

from ..lib.client import filter_time
from ..lib.contacts import ITEM, partner_candidates
from ..lib.mapper import item_record

# The next poll starts this long before the import began: Podio's clock may differ from ours.
CLOCK_SKEW = timedelta(minutes=5)


class PodioAppImport(models.Model):
    """Reading a linked app's items into partners, through the base's field mappings."""

    _inherit = "podio.app"  # pylint: disable=consider-merging-classes-inherited

    def _import(self):
        """Every item of the app, least recently edited first, a page at a time. The poll
        cursor is taken first, so what changes meanwhile is caught by the next poll."""
        self.ensure_one()
        backend = self.backend_id
        started = fields.Datetime.now()
        backend._connector_poll_set_cursor(self.app_id, filter_time(started - CLOCK_SKEW))
        totals = {"created": 0, "updated": 0, "skipped": 0}
        with backend._podio_session() as client:
            for page in client.iter_item_pages(self.app_id):
                for key, count in self._import_items(page).items():
                    if key in totals:
                        totals[key] += count
        self.last_import_at = started
        totals["summary"] = self.env._(
            "App %(app)s: %(created)s created, %(updated)s updated, %(skipped)s unchanged.",
            app=self.name,
            **totals,
        )
        return totals

    def _mapper(self):
        return self.env["connector.field.mapping"]._get_mapper(self.backend_id, ITEM, self.odoo_model)

    def _authorities(self):
        """Who wins a field changed both in Odoo and in Podio since the last sync: the mapping's
        authority, a person (a conflict) where it names none."""
        return {rule.odoo_field: rule.authority or "" for rule in self._mapper().rules if rule.imports}

    def _import_items(self, items, quarantine=True):
        """Upsert the partners of ``items``. An item without a partner yet takes the one Odoo
        already has (same email, else same name and company) instead of a new one, even
        with another job importing the same contact; an item the mappings refuse, or one
        whose partner another item already feeds, is set aside in the quarantine (or its
        error raised, for a retry: ``quarantine=False``)."""
        self.ensure_one()
        backend = self.backend_id
        batch = self._mapper().to_odoo_batch([item_record(item) for item in items])
        self._quarantine_items(batch.failed, quarantine)
        # Creating what Podio holds: no creation message, no follower (lib.sync).
        Partner = self.env["res.partner"].with_context(**QUIET_CREATE_CONTEXT)
        bound = Partner._connector_find(backend, ITEM, [record["id"] for record, _values in batch.good])
        totals = {"created": 0, "updated": 0, "skipped": 0}
        twins = []
        for round_items in self._rounds(batch.good, bound):
            upserts = []
            new = [(record, values) for record, values in round_items if record["id"] not in bound]
            matches = backend._connector_match_existing_many(
                "res.partner", [partner_candidates(values) for _record, values in new]
            )
            matched = {record["id"]: partner for (record, _values), partner in zip(new, matches, strict=True)}
            for record, values in round_items:
                if partner := matched.get(record["id"]):
                    if partner._connector_bindings(backend, ITEM):
                        twins.append((record, partner))
                        continue
                    partner._connector_bind(backend, ITEM, record["id"])
                upserts.append(
                    {
                        "external_id": record["id"],
                        "values": values,
                        "external_updated_at": record["last_event_on"],
                    }
                )
            result = Partner._connector_upsert(backend, ITEM, upserts, authorities=self._authorities())
            totals["created"] += result.created
            totals["updated"] += result.updated
            totals["skipped"] += result.skipped
        self.env["connector.external.binding"]._set_external_versions(
            backend, ITEM, {record["id"]: record["revision"] for record, _values in batch.good}
        )
        self._quarantine_twins(twins, quarantine)
        if backend._connector_has_quarantine(ITEM):
            twin_ids = {record["id"] for record, _partner in twins}
            taken = [record["id"] for record, _values in batch.good if record["id"] not in twin_ids]
            backend._connector_quarantine_resolve(ITEM, taken)
        return totals

    def _quarantine_items(self, failures, quarantine):
        """Set aside items the import cannot take, or raise the first error (a retry)."""
        if failures and not quarantine:
            raise failures[0][1]
        self.backend_id._connector_quarantine(
            "_job_import_item",
            [({"id": record["id"], "title": record["title"]}, error) for record, error in failures],
            object_type=ITEM,
        )

    def _quarantine_twins(self, twins, quarantine):
        """An item standing for a partner another item already feeds: a person merges the two
        in Podio (or tells them apart), rather than Odoo getting the contact twice."""
        self._quarantine_items(
            [
                (
                    record,
                    ValidationError(
                        self.env._(
                            "Item %(item)s is the same contact as partner %(partner)s, which another Podio "
                            "item already feeds: merge the two items in Podio, or tell them apart.",
                            item=record["title"] or record["id"],
                            partner=partner.display_name,
                        )
                    ),
                )
                for record, partner in twins
            ],
            quarantine,
        )

    @staticmethod
    def _rounds(good, bound):
        """The mapped items in rounds where no two new ones share a match key: a contact
        twice in one page is created once, the second taking the first's partner."""
        rounds = []
        for record, values in good:
            keys = set() if record["id"] in bound else {key for key, _domain in partner_candidates(values)}
            for round_items, round_keys in rounds:
                if not keys & round_keys:
                    round_items.append((record, values))
                    round_keys.update(keys)
                    break
            else:
                rounds.append(([(record, values)], keys))
        return [round_items for round_items, _keys in rounds]
