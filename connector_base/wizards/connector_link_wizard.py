from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..lib.preview import HOLD_FIRST_IMPORT


class ConnectorLinkWizard(models.AbstractModel):
    """A wizard that links a backend's containers (sheets, boards) from the platform.

    A connector's wizard inherits it, declares ``backend_id`` and ``line_ids`` (its lines
    inherit ``connector.link.line.mixin``), names what it links (``_link_target``), and says
    what the platform offers (``_link_offers``), what a chosen line links (``_link_values``)
    and how an existing container is linked again (``_link_again``). The backend's button
    opens it with ``backend._connector_action_link_wizard``; the base fills its lines from
    the offers, takes the ticked lines not linked yet (and ``_link_extra_choices``), finds
    the existing containers, archived included, in one search and creates the new ones in
    one batch.
    """

    _name = "connector.link.wizard"
    _description = "Link Platform Containers"

    # What the wizard links: the container model and its field holding the external id,
    # e.g. ("trello.board", "board_id").
    _link_target = None

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        backend = self.env[self._fields["backend_id"].comodel_name].browse(values.get("backend_id"))
        if "line_ids" in fields_list and backend:
            values["line_ids"] = [Command.create(line) for line in self._link_offers(backend)]
        return values

    @api.model
    def _link_offers(self, backend):
        """Values of the lines the wizard offers for ``backend``, read from the platform
        (connector hook, its calls in ``backend._connector_button_call()``): ``external_id``,
        ``name``, ``url``, ``linked`` for a container linked already, and the line's own fields."""
        raise NotImplementedError(f"{self._name} does not say what the platform offers")

    def _link_values(self, line):
        """Values of the container a chosen ``line`` links (connector hook); a ``UserError``
        when the line lacks something the container needs."""
        raise NotImplementedError(f"{self._name} does not say what a line links")

    def _link_extra_choices(self):
        """{external id: values of its container} chosen outside the lines (a pasted address)."""
        return {}

    def _link_nothing_chosen_text(self):
        """What to tell a person who pressed Link with nothing chosen."""
        return self.env._("Tick what to link.")

    def _link_choices(self):
        """{external id: values of its container} for what was chosen."""
        chosen = self.line_ids.filtered(lambda line: line.selected and not line.linked)
        choices = {line.external_id: self._link_values(line) for line in chosen}
        choices.update(self._link_extra_choices())
        if not choices:
            raise UserError(self._link_nothing_chosen_text())
        return choices

    def _link_again(self, container, values):
        """Link the existing (perhaps archived) ``container`` again with ``values`` (connector hook)."""
        raise NotImplementedError(f"{self._name} does not say how to link a container again")

    def action_link_and_preview(self):
        """Link the chosen containers with their first import held back, and preview that import."""
        return self.with_context(**{HOLD_FIRST_IMPORT: True})._link_chosen().action_preview_import()

    def _link_show(self, containers, list_action_xmlid):
        """What the Link button opens: the form of the one container linked, else the list
        action ``list_action_xmlid`` of the backend's containers."""
        if len(containers) == 1:
            return {
                "type": "ir.actions.act_window",
                "res_model": containers._name,
                "res_id": containers.id,
                "view_mode": "form",
            }
        return self.backend_id._connector_action_view_containers(list_action_xmlid)

    def _link_chosen(self):
        """The containers chosen, linked: existing ones linked again, new ones created."""
        self.ensure_one()
        choices = self._link_choices()
        model, key_field = self._link_target
        Container = self.env[model].with_context(active_test=False)
        existing = {
            container[key_field]: container
            for container in Container.search(
                [("backend_id", "=", self.backend_id.id), (key_field, "in", list(choices))]
            )
        }
        linked_again = Container.browse()
        new_values = []
        for key, values in choices.items():
            if key in existing:
                self._link_again(existing[key], values)
                linked_again |= existing[key]
            else:
                new_values.append({**values, "backend_id": self.backend_id.id, key_field: key})
        return linked_again | Container.create(new_values)


class ConnectorLinkLineMixin(models.AbstractModel):
    """A line of a link wizard: one container the platform offers, ticked to link it."""

    _name = "connector.link.line.mixin"
    _description = "Container to Link"

    selected = fields.Boolean(string="Link")
    external_id = fields.Char(string="Platform ID", readonly=True)
    name = fields.Char(readonly=True)
    url = fields.Char(string="Address", readonly=True)
    linked = fields.Boolean(string="Already linked", readonly=True)
