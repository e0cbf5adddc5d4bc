from odoo import fields, models


class ConnectorBackendLifecycle(models.AbstractModel):
    """What becomes of a platform object when its bound record is deleted in Odoo.

    ``connector.external.id.mixin`` collects the bindings of the deleted records and
    queues one ``_job_remove_deleted_records`` per external type for each backend whose
    policy is not "leave". The base offers "leave" alone: each backend model adds the
    removals its platform can do with ``selection_add`` (and an ``ondelete`` for them).
    """

    _inherit = "connector.backend.mixin"

    deleted_record_policy = fields.Selection(
        [("leave", "Leave the platform object")],
        string="When a synced record is deleted in Odoo",
        default="leave",
        required=True,
        help="What the connector does to the platform object of a record deleted in Odoo.",
    )

    def _connector_remove_external(self, external_type, external_ids, policy):
        """Archive (``policy`` "archive") or delete ("delete") the platform objects of
        ``external_ids`` (platform hook). Returns the job's result; raises the typed
        errors of ``lib.errors``."""
        raise NotImplementedError(f"{self._name} cannot {policy} {external_type} objects")

    def _connector_enqueue_removals(self, policy, by_type):
        """Queue the removal of the platform objects of deleted records: {external type: [ids]}."""
        self.ensure_one()
        verb = self.env._("Delete") if policy == "delete" else self.env._("Archive")
        vals_list = [
            self._connector_job_values(
                "_job_remove_deleted_records",
                {"external_type": external_type, "external_ids": external_ids, "policy": policy},
                kind="export",
                name=self.env._(
                    "%(verb)s %(count)s %(type)s object(s) of records deleted in Odoo",
                    verb=verb,
                    count=len(external_ids),
                    type=external_type,
                ),
                object_type=external_type,
            )
            for external_type, external_ids in by_type.items()
        ]
        return self.env["connector.sync.job"].sudo()._enqueue(vals_list)

    def _job_remove_deleted_records(self, job):
        payload = job.payload
        return self._connector_remove_external(
            payload["external_type"], payload["external_ids"], payload["policy"]
        )
