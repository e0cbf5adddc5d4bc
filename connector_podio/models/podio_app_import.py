from odoo import fields, models

from odoo.addons.connector_base.lib.errors import ValidationError
from odoo.addons.connector_base.lib.sync import FROM_CONNECTOR, QUIET_CREATE_CONTEXT

from ..lib.client import CLOCK_SKEW, filter_time
from ..lib.contacts import ITEM, company_candidates, partner_candidates
from ..lib.mapper import item_record


class PodioAppImport(models.Model):
    """Reading a linked app's items into partners, sales orders or their lines, through the
    base's field mappings."""

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
            self._read_fields(client)
            for page in client.iter_item_pages(self.app_id, read_ahead=True):
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
        """Upsert the records of ``items``. An item the mappings refuse is set aside in the
        quarantine (or its error raised, for a retry: ``quarantine=False``); one referring to
        an item not in Odoo yet (an order before its customer, a line before its order)
        waits there for it and is imported again once that item is."""
        self.ensure_one()
        backend = self.backend_id
        batch = self._mapper().to_odoo_batch([item_record(item) for item in items])
        self._quarantine_items(batch.failed, quarantine)
        good = [(record, self._without_empty_defaults(values)) for record, values in batch.good]
        if self.odoo_model == "res.partner":
            totals, created, set_aside = self._upsert_partners(good, quarantine)
        else:
            (totals, created), set_aside = self._upsert_records(good), set()
        # The revision each item was read at: a hook for it later is an echo (podio_backend_export).
        # The bindings the upserts created got it in their insert; this writes the others whose
        # item moved.
        self.env["connector.external.binding"]._set_external_versions(
            backend,
            ITEM,
            {record["id"]: record["revision"] for record, _values in good if record["id"] not in created},
        )
        taken = {record["id"] for record, _values in good if record["id"] not in set_aside}
        self._import_files([item for item in items if str(item["item_id"]) in taken])
        if backend._connector_has_quarantine(ITEM):
            backend._connector_quarantine_resolve(ITEM, list(taken))
        # An item another job sets aside meanwhile, waiting for one of these, is not seen here:
        # checked again once this commits.
        backend._connector_quarantine_recheck(ITEM, taken)
        return totals

    def _without_empty_defaults(self, values):
        """``values`` without the empty values of fields Odoo requires and fills itself (an
        order's date, a line's description): Odoo's default or computed value stands."""
        fields_ = self.env[self.odoo_model]._fields
        return {
            name: value
            for name, value in values.items()
            if value is not False
            or not fields_[name].required
            or not (fields_[name].default or fields_[name].compute)
        }

    def _upsert_records(self, good):
        # Creating what Podio holds: no creation message, no follower (lib.sync), as for partners.
        result = (
            self.env[self.odoo_model]
            .with_context(**QUIET_CREATE_CONTEXT)
            ._connector_upsert(
                self.backend_id,
                ITEM,
                [
                    {
                        "external_id": record["id"],
                        "values": values,
                        "external_updated_at": record["last_event_on"],
                        "external_version": record["revision"],
                    }
                    for record, values in good
                ],
                authorities=self._authorities(),
            )
        )
        return result.as_job_result(), result.created_ids

    def _upsert_partners(self, good, quarantine):
        """Partners: an item without a partner yet takes the one Odoo already has (same email,
        else same name and company) instead of a new one, even with another job importing the
        same contact; one whose partner another item already feeds waits for a person.
        Returns the totals, the ids of the items whose partners it created and those of the
        items set aside."""
        backend = self.backend_id
        # Creating what Podio holds: no creation message, no follower (lib.sync).
        Partner = self.env["res.partner"].with_context(**QUIET_CREATE_CONTEXT)
        Binding = self.env["connector.external.binding"]
        # One lookup for the page, handed to each upsert (with the matched partners bound below).
        bound = Binding._lookup(backend, ITEM, [record["id"] for record, _values in good])
        totals = {"created": 0, "updated": 0, "skipped": 0}
        created = set()
        twins = []
        companies = {}
        for round_items in self._rounds(good, bound):
            upserts, matched_now = [], []
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
                    matched_now.append(record["id"])
                upserts.append(
                    {
                        "external_id": record["id"],
                        "values": self._with_company(values, companies),
                        "external_updated_at": record["last_event_on"],
                        "external_version": record["revision"],
                    }
                )
            if matched_now:
                bound.update(Binding._lookup(backend, ITEM, matched_now))
            result = Partner._connector_upsert(
                backend, ITEM, upserts, authorities=self._authorities(), bound=bound
            )
            totals["created"] += result.created
            totals["updated"] += result.updated
            totals["skipped"] += result.skipped
            created |= result.created_ids
        self._quarantine_twins(twins, quarantine)
        return totals, created, {record["id"] for record, _partner in twins}

    def _with_company(self, values, companies):
        """A contact's values as the backend's company setting wants them: the company name on
        the contact, or the company partner (matched by name, else created) as its parent.
        ``companies`` keeps those of this batch, which other jobs cannot see yet."""
        name = (values.get("company_name") or "").strip()
        if self.backend_id.contact_company != "partner" or not name:
            return values
        key = name.lower()
        if key not in companies:
            Partner = self.env["res.partner"].with_context(**QUIET_CREATE_CONTEXT, **{FROM_CONNECTOR: True})
            companies[key] = self.backend_id._connector_match_existing(
                "res.partner", company_candidates(name)
            ) or Partner.create({"name": name, "is_company": True})
        return {
            **{field: value for field, value in values.items() if field != "company_name"},
            "parent_id": companies[key].id,
        }

    def _quarantine_items(self, failures, quarantine):
        """Set aside items the import cannot take, or raise the first error (a retry). An item
        referring to one not in Odoo yet waits for it."""
        if failures and not quarantine:
            raise failures[0][1]
        self.backend_id._connector_quarantine(
            "_job_import_item",
            [
                (
                    {
                        "id": record["id"],
                        "title": record["title"],
                        "waits_for": getattr(error, "waits_for", None),
                    },
                    error,
                )
                for record, error in failures
            ],
            object_type=ITEM,
            parent_id="waits_for",
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
