"""What a first import would do, gathered while nothing is written: the import preview.

A connector's preview hook reads the platform as its import does, maps the records
with the same mapper and checks, and tells an :class:`ImportPreview` what became of
each record: created or updated (with the Odoo values it would get), failed (with the
reason), or imported with a value lost on the way (a text cut to the field's size, a
Trello member who is no Odoo user). The preview keeps the counts, the first rows and
every problem; the wizard ``connector.import.preview`` shows them.
"""

from dataclasses import dataclass

CREATE, UPDATE, FAIL, LOSS = "create", "update", "fail", "loss"
# Context key: link a sheet, board or app without queueing its first import, which the
# person starts from the import preview once the preview reads right.
HOLD_FIRST_IMPORT = "connector_hold_first_import"
# Rows whose values the preview keeps to show; every problem is kept.
DEFAULT_SAMPLE_SIZE = 10


@dataclass(frozen=True, slots=True)
class PreviewRow:
    """A record the import would write: ``kind`` is CREATE or UPDATE."""

    kind: str
    ref: str
    values: dict


@dataclass(frozen=True, slots=True)
class PreviewProblem:
    """A record that would fail (FAIL), or lose a value (LOSS), and why."""

    kind: str
    ref: str
    field: str
    value: object
    reason: str


class ImportPreview:
    """The counts, first rows and problems of one import that did not happen."""

    def __init__(self, odoo_model="", sample_size=DEFAULT_SAMPLE_SIZE):
        self.odoo_model = odoo_model
        self.sample_size = sample_size
        self.counts = {CREATE: 0, UPDATE: 0, FAIL: 0}
        self.rows = []
        self.problems = []
        self.api_calls = 0

    def add(self, ref, values, *, existing):
        """A record the import would write; ``existing``: it is already bound (an update)."""
        kind = UPDATE if existing else CREATE
        self.counts[kind] += 1
        if len(self.rows) < self.sample_size:
            self.rows.append(PreviewRow(kind, ref, dict(values)))

    def fail(self, ref, field, value, reason):
        """A record the import would set aside (quarantine) instead of writing."""
        self.counts[FAIL] += 1
        self.problems.append(PreviewProblem(FAIL, ref, field or "", value, reason))

    def fail_mapping(self, ref, error):
        """A record the mapper refused (a ``lib.mapping.MappingError``)."""
        self.fail(ref, error.field, error.value, error.reason)

    def lose(self, ref, field, value, reason):
        """A value the import would drop or change while writing the record."""
        self.problems.append(PreviewProblem(LOSS, ref, field or "", value, reason))

    def lose_warnings(self, warnings, refs=None):
        """The ``lib.mapping.MappingWarning`` of a batch; ``refs`` renames their record refs."""
        refs = refs or {}
        for warning in warnings:
            self.lose(
                refs.get(warning.record_ref, warning.record_ref),
                warning.field,
                warning.value,
                warning.message,
            )

    @property
    def losses(self):
        return sum(1 for problem in self.problems if problem.kind == LOSS)

    def summary(self):
        """One line: what the import would do."""
        return (
            f"{self.counts[CREATE]} to create, {self.counts[UPDATE]} to update, "
            f"{self.counts[FAIL]} failing, {self.losses} value(s) lost, {self.api_calls} API call(s)"
        )
