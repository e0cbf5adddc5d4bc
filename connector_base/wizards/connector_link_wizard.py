from odoo import fields, models

from ..lib.preview import HOLD_FIRST_IMPORT


class ConnectorLinkWizard(models.AbstractModel):
    """A wizard that links a backend's containers (sheets, boards) from the platform.

    A connector's wizard inherits it, declares ``backend_id`` and its lines, names what it links
    (``_link_target``), and says what was chosen
    (``_link_choices``) and how an existing container is linked again
    (``_link_again``). The base finds the existing ones, archived included, in one
    search and creates the new ones in one batch.
    """

    _name = "connector.link.wizard"
    _description = "Link Platform Containers"

    # What the wizard links: the container model and its field holding the external id,
    # e.g. ("trello.board", "board_id").
    _link_target = None

    def _link_choices(self):
        """{external id: values of its container} for what was chosen; a ``UserError``
        that says what to choose when nothing was (connector hook)."""
        raise NotImplementedError(f"{self._name} does not say what was chosen")

    def _link_again(self, container, values):
        """Link the existing (perhaps archived) ``container`` again with ``values`` (connector hook)."""
        raise NotImplementedError(f"{self._name} does not say how to link a container again")

    def action_link_and_preview(self):
        """Link the chosen containers with their first import held back, and preview that import."""
        return self.with_context(**{HOLD_FIRST_IMPORT: True})._link_chosen().action_preview_import()

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
    name = fields.Char(readonly=True)
    url = fields.Char(string="Address", readonly=True)
