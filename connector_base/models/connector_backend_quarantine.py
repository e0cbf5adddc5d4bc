import logging

from lxml import etree

from odoo import SUPERUSER_ID, api, fields, models
from odoo.tools import SQL

from ..lib.redact import redact

_logger = logging.getLogger(__name__)


class ConnectorBackendQuarantine(models.AbstractModel):
    """Platform objects an import could not take, set aside until their data or mapping is fixed.

    An entry is a failed job marked ``quarantine``: its payload is the object, its
    message the error naming the field and the value, its ``external_id`` the
    object's id and ``parent_external_id`` the quarantined object it waits for (a
    row's parent row). Retry runs the job's handler on the payload again; once it
    is done, the entries waiting for that object are retried by themselves, and so
    on down the family. An import that takes an object after all resolves its
    entry (:meth:`_connector_quarantine_resolve`), which releases those waiting
    for it just the same. Both sides check again once they commit
    (:meth:`_connector_quarantine_recheck`), so an entry set aside while another job
    imports what it waits for is released too.
    """

    # One concern per file: several files of this addon extend the backend mixin.
    _inherit = "connector.backend.mixin"  # pylint: disable=consider-merging-classes-inherited

    quarantine_count = fields.Integer(compute="_compute_quarantine_count", string="In quarantine")

    def _quarantine_domain(self, object_type=None):
        domain = [*self._job_domain(), ("quarantine", "=", True), ("state", "=", "failed")]
        return [*domain, ("object_type", "=", object_type)] if object_type else domain

    def _compute_quarantine_count(self):
        counts = dict(
            self.env["connector.sync.job"]
            .sudo()
            ._read_group(self._quarantine_domain(), ["backend_id"], ["__count"])
        )
        for backend in self:
            backend.quarantine_count = counts.get(backend.id, 0)

    def _connector_quarantined(self, object_type=None):
        """The quarantine entries of this backend (of ``object_type`` only, if given)."""
        return self.env["connector.sync.job"].sudo().search(self._quarantine_domain(object_type))

    def _connector_has_quarantine(self, object_type):
        """Whether anything of ``object_type`` waits in quarantine: an import skips resolving when not."""
        self.ensure_one()
        return bool(
            self.env["connector.sync.job"].sudo().search_count(self._quarantine_domain(object_type), limit=1)
        )

    def _connector_quarantine(
        self, method_name, failures, *, object_type, external_id="id", parent_id=None, kind="import"
    ):
        """Set aside the objects an import could not take: one entry (a failed job) per object.

        ``failures``: (payload, error) pairs, such as the ``failed`` of a mapper's
        ``to_odoo_batch``; the error should name the field and the value (a
        ``MappingError`` does). ``external_id`` and ``parent_id`` are the payload keys
        (or callables of the payload) giving the object's id and the id of the object
        it waits for, if any. Retry runs ``backend.<method_name>(job)``, which must
        import the object of ``job.payload``. An object quarantined again replaces its
        earlier entry. Returns the entries.
        """
        self.ensure_one()
        failures = list(failures)
        if not failures:
            return self.env["connector.sync.job"]
        id_of = _reader(external_id)
        parent_of = _reader(parent_id)
        payloads = [payload for payload, _error in failures]
        ids = [str(id_of(payload)) for payload in payloads]
        self._connector_quarantine_close(object_type, ids, self.env._("Quarantined again."))
        subjects = self._connector_job_subjects(method_name, payloads)
        now = fields.Datetime.now()
        vals_list = []
        for (payload, error), subject, object_id in zip(failures, subjects, ids, strict=True):
            parent = parent_of(payload)
            values = self._connector_job_values_named(
                subject, method_name, payload, kind=kind, object_type=object_type, external_id=object_id
            )
            values.update(
                parent_external_id=str(parent) if parent not in (None, False, "") else False,
                state="failed",
                quarantine=True,
                finished_at=now,
                error_class=f"{type(error).__module__}.{type(error).__qualname__}",
                error_message=redact(str(error) or type(error).__name__),
            )
            vals_list.append(values)
        Job = self.env["connector.sync.job"].sudo()
        Job._check_enqueue_values(vals_list)
        entries = Job.create(vals_list)
        self._connector_quarantine_recheck(
            object_type, [values["parent_external_id"] for values in vals_list]
        )
        return entries

    def _connector_quarantine_family(self, object_type, external_ids):
        """External ids of the entries waiting for these objects, and for those, down the
        family (one query): a retry that reads them along with their parent, in one call,
        takes the family at once instead of one job per object."""
        self.ensure_one()
        self.env["connector.sync.job"].flush_model()
        waiting = SQL(
            """quarantine AND state = 'failed' AND backend_model = %s AND backend_id = %s
               AND object_type IS NOT DISTINCT FROM %s""",
            self._name,
            self.id,
            object_type or None,
        )
        self.env.cr.execute(
            SQL(
                """
                WITH RECURSIVE family(external_id) AS (
                    SELECT external_id FROM connector_sync_job
                     WHERE %(waiting)s AND parent_external_id = ANY(%(ids)s)
                    UNION
                    SELECT job.external_id FROM connector_sync_job job
                      JOIN family ON job.parent_external_id = family.external_id
                     WHERE %(waiting)s
                )
                SELECT external_id FROM family
                """,
                waiting=waiting,
                ids=[str(external_id) for external_id in external_ids],
            )
        )
        return [external_id for (external_id,) in self.env.cr.fetchall()]

    def _connector_quarantine_resolve(self, object_type, external_ids):
        """The import took these objects after all: close their entries and retry those waiting for them."""
        self.ensure_one()
        ids = [str(external_id) for external_id in external_ids]
        if not ids:
            return
        self._connector_quarantine_close(object_type, ids, self.env._("Imported again."))
        self.env["connector.sync.job"]._release_quarantine_waiting(self._name, self.id, object_type, ids)

    def _connector_quarantine_recheck(self, object_type, external_ids):
        """Once this transaction commits, release the entries waiting for those of these
        objects that are bound by then.

        Two jobs at once do not see each other's rows: an entry set aside while another
        job imports the object it waits for is missed by that job's release, and stays
        failed until the object is imported again. Hence both sides check again after
        committing: the job setting entries aside, for their parents (called by
        :meth:`_connector_quarantine`); the job importing objects, for those it took
        (the connector calls it, also when it saw nothing in quarantine). Whichever
        commits last sees the other's rows. One check per transaction, backend and type.
        """
        self.ensure_one()
        ids = {str(external_id) for external_id in external_ids if external_id not in (None, False, "")}
        if not ids:
            return
        data = self.env.cr.postcommit.data
        key = ("connector_base.quarantine_recheck", self._name, self.id, object_type or None)
        if key in data:
            data[key].update(ids)
            return
        data[key] = wanted = ids
        registry, model_name, backend_id = self.env.registry, self._name, self.id

        def recheck():
            try:
                with registry.cursor() as cr:
                    backend = api.Environment(cr, SUPERUSER_ID, {})[model_name].browse(backend_id).exists()
                    if backend:
                        backend._connector_quarantine_release_bound(object_type, wanted)
            except Exception:
                _logger.warning(
                    "Could not re-check the quarantine of %s %s", model_name, backend_id, exc_info=True
                )

        self.env.cr.postcommit.add(recheck)

    def _connector_quarantine_release_bound(self, object_type, external_ids):
        """Retry the entries waiting for those of these objects that are bound (one query, and
        one more when some are)."""
        self.ensure_one()
        self.env["connector.sync.job"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT waiting.parent_external_id
                  FROM connector_sync_job waiting
                  JOIN connector_external_binding binding
                    ON binding.backend_model = waiting.backend_model
                   AND binding.backend_id = waiting.backend_id
                   AND binding.external_type = waiting.object_type
                   AND binding.external_id = waiting.parent_external_id
                 WHERE waiting.quarantine AND waiting.state = 'failed'
                   AND waiting.backend_model = %(model)s AND waiting.backend_id = %(id)s
                   AND waiting.object_type IS NOT DISTINCT FROM %(type)s
                   AND waiting.parent_external_id = ANY(%(ids)s)
                """,
                model=self._name,
                id=self.id,
                type=object_type or None,
                ids=sorted(external_ids),
            )
        )
        bound = [parent for (parent,) in self.env.cr.fetchall()]
        if bound:
            self.env["connector.sync.job"]._release_quarantine_waiting(
                self._name, self.id, object_type, bound
            )
        return bound

    def _connector_quarantine_close(self, object_type, external_ids, summary):
        """Cancel the open entries (failed, or retried and waiting to run) of these objects."""
        Job = self.env["connector.sync.job"]
        Job.flush_model()
        self.env.cr.execute(
            SQL(
                """
                UPDATE connector_sync_job
                   SET state = 'cancelled', result_summary = %(summary)s,
                       finished_at = (now() AT TIME ZONE 'UTC'), write_date = (now() AT TIME ZONE 'UTC')
                 WHERE quarantine AND state IN ('failed', 'pending')
                   AND backend_model = %(model)s AND backend_id = %(id)s
                   AND object_type IS NOT DISTINCT FROM %(type)s AND external_id = ANY(%(ids)s)
                """,
                summary=summary,
                model=self._name,
                id=self.id,
                type=object_type or None,
                ids=list(external_ids),
            )
        )
        Job.invalidate_model()

    def action_view_quarantine(self):
        """The backend's quarantine: each entry says which field and value it refused."""
        self.ensure_one()
        action = self.action_view_jobs()
        action["domain"] = self._quarantine_domain()
        action["name"] = self.env._("Records of %(backend)s in quarantine", backend=self.display_name)
        action["context"] = {}
        return action

    def action_retry_quarantine(self):
        """Retry every entry: for after a mapping was fixed. Those waiting for a parent follow it."""
        for backend in self:
            quarantined = backend._connector_quarantined()
            in_quarantine = {(job.object_type, job.external_id) for job in quarantined}
            first = [
                job.id
                for job in quarantined
                if (job.object_type, job.parent_external_id) not in in_quarantine
            ]
            quarantined.browse(first).action_retry()
        return True

    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        """Every backend form gets the quarantine smart button, added here once for all connectors."""
        arch, view = super()._get_view(view_id, view_type, **options)
        if view_type == "form":
            button_box = arch.find(".//div[@name='button_box']")
            if button_box is not None and not button_box.xpath("button[@name='action_view_quarantine']"):
                button = etree.SubElement(
                    button_box,
                    "button",
                    {
                        "name": "action_view_quarantine",
                        "type": "object",
                        "class": "oe_stat_button",
                        "icon": "fa-exclamation-triangle",
                        "invisible": "not quarantine_count",
                    },
                )
                etree.SubElement(
                    button,
                    "field",
                    {"name": "quarantine_count", "widget": "statinfo", "string": self.env._("In quarantine")},
                )
        return arch, view


def _reader(spec):
    """A payload key, or a callable of the payload; None reads nothing."""
    if spec is None:
        return lambda payload: None
    if callable(spec):
        return spec
    return lambda payload: payload.get(spec)
