"""What a sync compares and reports, without the ORM: fingerprints, comparable values,
the outcome of an upsert and the context key marking the connector's own writes."""

import hashlib
import json
from dataclasses import dataclass, field
from typing import NamedTuple

# Context key of writes made by the connector itself (an import, a conflict settled for the
# platform): they are never exported back, so nothing ping-pongs between the two sides.
FROM_CONNECTOR = "from_connector"
# Creating what a platform holds: no creation message, no technical user following each
# record, no assignment e-mails for what people already see on the platform.
QUIET_CREATE_CONTEXT = {
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_auto_subscribe_no_notify": True,
}


# The counts a job's result carries (see ConnectorSyncJobOutcome._mark_done).
RESULT_KEYS = ("created", "updated", "skipped")


def summed_results(results):
    """One job result from the results of its parts: their counts added up, their summaries
    joined (none when no part has one)."""
    totals = {key: sum(result.get(key, 0) for result in results) for key in RESULT_KEYS}
    summaries = [result["summary"] for result in results if result.get("summary")]
    if summaries:
        totals["summary"] = " ".join(summaries)
    return totals


def content_hash(values):
    """Stable fingerprint of the values last synced, to skip unchanged data."""
    text = json.dumps(values, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def comparable(value):
    """A field value in JSON form for comparisons: the ids of an x2many set in a stable order
    (Odoo reads them in the order of the related model, connectors send them in theirs)."""
    value = json.loads(json.dumps(value, default=str))
    if (
        isinstance(value, list)
        and value
        and all(isinstance(command, list) and len(command) == 3 and command[0] == 6 for command in value)
    ):
        return [[6, 0, sorted(command[2])] for command in value]
    return value


@dataclass
class UpsertResult:
    """How many records an upsert created, updated and skipped, which record each
    external id now has, and the external ids whose records it created."""

    created: int = 0
    updated: int = 0
    skipped: int = 0
    record_ids: dict = field(default_factory=dict)  # external id -> Odoo record id
    created_ids: set = field(default_factory=set)

    def as_job_result(self):
        return {"created": self.created, "updated": self.updated, "skipped": self.skipped}


class HeldRecords(NamedTuple):
    """Which Odoo records a linked platform container holds, declared once on the container
    model (``connector.container.mixin``)::

        _connector_holds = HeldRecords("project.task", record_field="project_id",
                                       container_field="project_id")

    reads "a task belongs to the linked sheets whose project is the task's project". With
    ``container_field="id"`` (the default) the record's field points at the container itself.
    With ``record_field=None`` (:func:`every_record`) every active container holds every
    record of the model, and its ``_connector_exports_new`` picks the ones it creates
    objects for (a Podio contacts app and the partners made in Odoo).
    ``structure_fields``: record fields an export depends on beyond the mapped ones (a task's
    parent): a change to one re-exports the record even where its mapped values are the same.
    """

    model: str
    record_field: str
    container_field: str = "id"
    structure_fields: frozenset = frozenset()


def every_record(model, *structure_fields):
    """Every record of ``model``: what a container not tied to a field of its records holds."""
    return HeldRecords(model, None, None, frozenset(structure_fields))


def project_tasks(*structure_fields):
    """The tasks of the container's project: what a sheet or a board linked to a project holds."""
    return HeldRecords("project.task", "project_id", "project_id", frozenset(structure_fields))
