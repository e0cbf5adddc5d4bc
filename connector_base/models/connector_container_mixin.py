from odoo import models

from ..lib.sync import HeldRecords


class ConnectorContainerMixin(models.AbstractModel):
    """A linked platform object that holds Odoo records: a Smartsheet sheet of tasks, a
    Trello board of cards. The model has ``backend_id`` (its backend) and ``active``.

    It declares which records it holds, once (``lib.sync.HeldRecords``)::

        _connector_holds = HeldRecords("project.task", record_field="project_id",
                                       container_field="project_id")

    or a tuple of them, one per model, for a container holding records of several models
    (a Podio app: contacts, or sales orders, or their lines)

    and the records' model (``connector.external.id.mixin``) then handles their lifecycle:
    a record created in Odoo (or moved into the container) queues the container's export
    of new records, unless it came from the connector or is already bound; a change to a
    ``structure_fields`` field re-exports it; a deleted one follows its backend's
    ``deleted_record_policy``. The hooks below are the container's part.
    """

    _name = "connector.container.mixin"
    _description = "Connector Container"

    _connector_holds = None  # a lib.sync.HeldRecords, or a tuple of them (one per model)

    @classmethod
    def _connector_held(cls, model_name):
        """The ``HeldRecords`` of ``model_name`` this container model declares, or None."""
        holds = cls._connector_holds
        declared = (holds,) if isinstance(holds, HeldRecords) else holds or ()
        return next((held for held in declared if held.model == model_name), None)

    def _connector_record_type(self):
        """The external type of the bindings of this container's records ("card")."""
        raise NotImplementedError(f"{self._name} does not name the external type of its records")

    def _connector_exports_new(self, records):
        """The ones of ``records`` (new in this container, unbound) whose platform object this
        container creates: none for a container linked for import only."""
        raise NotImplementedError(f"{self._name} does not say which new records it exports")

    def _connector_new_records_jobs(self, records):
        """Values of the jobs (``backend._connector_job_values``) creating the platform objects
        of ``records``: one job for the container (Smartsheet adds rows 500 at a time) or one
        per record (Trello creates each card alone). A job without ``identity_key`` gets
        one per container, so a burst of new records queues one job."""
        raise NotImplementedError(f"{self._name} does not export new records")

    def _connector_container_subject(self):
        """(name, address) naming this container on its jobs: ("board IT", the board's URL)."""
        raise NotImplementedError(f"{self._name} does not say how its jobs name it")

    # ------------------------------------------------------------------ jobs about the container
    def _connector_container_job(self, method_name, payload=None, **options):
        """Values of a job about this container (``backend._connector_job_values`` options),
        named after it in the job list. Jobs about one container run one at a time: each
        writes the container's row, and two servers writing it at once would fail one of
        them with a serialization error."""
        self.ensure_one()
        object_name, object_url = self._connector_container_subject()
        return self.backend_id._connector_job_values(
            method_name,
            payload,
            object_name=object_name,
            object_url=object_url,
            **{"serial_key": f"{self._name},{self.id}", **options},
        )

    def _connector_container_enqueue(self, method_name, payload=None, **options):
        """Queue one job about this container; see :meth:`_connector_container_job`."""
        job = self._connector_container_job(method_name, payload, **options)
        return self.env["connector.sync.job"].sudo()._enqueue([job])

    def _connector_container_enqueue_import(self, method_name, payload_key, object_type):
        """Queue one full import of each container, named "Import <subject>": ``method_name``
        receives ``{payload_key: container id}``; a second request while one waits is the same job."""
        for container in self:
            container._connector_container_enqueue(
                method_name,
                {payload_key: container.id},
                name=self.env._(
                    "Import %(container)s", container=container._connector_container_subject()[0]
                ),
                object_type=object_type,
                identity_key=f"import:{container.id}",
                priority=20,
            )

    # ------------------------------------------------------------------ for the records' model
    def _connector_holding(self, records):
        """{container: its records among ``records``}, for the active containers of this
        model holding some of them."""
        holds = self._connector_held(records._name)
        if holds.record_field is None:
            return dict.fromkeys(self.sudo().search([("active", "=", True)]), records)
        if holds.container_field == "id":
            containers = records[holds.record_field].filtered(lambda container: container._name == self._name)
            containers = containers.sudo().filtered("active")
        else:
            keys = records[holds.record_field]
            if not keys:
                return {}
            containers = self.sudo().search([(holds.container_field, "in", keys.ids), ("active", "=", True)])
        held = {}
        for container in containers:
            key = container if holds.container_field == "id" else container[holds.container_field]
            mine = records.filtered(lambda record, key=key: record[holds.record_field] == key)
            if mine:
                held[container] = mine
        return held

    def _connector_enqueue_new_records(self, records):
        """Queue the jobs exporting the unbound ones of ``records`` this container exports."""
        Binding = self.env["connector.external.binding"]
        vals_list = []
        for container in self:
            bindings = Binding._of_records(records, container.backend_id, container._connector_record_type())
            bound_ids = set(bindings.mapped("res_id"))
            new = container._connector_exports_new(
                records.filtered(lambda record, bound=bound_ids: record.id not in bound)
            )
            if not new:
                continue
            # Scoped to the backend as _connector_job_values scopes the keys it is given.
            backend = container.backend_id
            default_key = f"{backend._name},{backend.id}:new_records:{container._name},{container.id}"
            for values in container._connector_new_records_jobs(new):
                vals_list.append({**values, "identity_key": values.get("identity_key") or default_key})
        return self.env["connector.sync.job"].sudo()._enqueue(vals_list) if vals_list else None
