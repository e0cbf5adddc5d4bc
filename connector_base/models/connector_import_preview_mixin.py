from odoo import models


class ConnectorImportPreviewMixin(models.AbstractModel):
    """The hooks a linked platform object (a sheet, a board) implements to offer a dry run of
    its import in the ``connector.import.preview`` wizard. Each hook says what it must do."""

    _name = "connector.import.preview.mixin"
    _description = "Connector Import Preview Hooks"

    def _connector_preview_import(self, preview):
        """Tell ``preview`` (a ``lib.preview.ImportPreview``) what the import of this object
        would do: read the platform as the import does (no more calls), map with the import's
        mapper, and report each record with ``preview.add``, ``fail``, ``fail_mapping``,
        ``lose``; set ``preview.api_calls`` to the calls made.

        The wizard runs it in a savepoint it rolls back afterwards, so what the import creates
        on the way (a project, stages, tags a lookup creates) may be created here too; it must
        not commit, enqueue jobs or write to the platform."""
        raise NotImplementedError(f"{self._name} must say what its import would do")

    def _connector_preview_model(self):
        """The Odoo model the previewed records would become (to show their values)."""
        raise NotImplementedError(f"{self._name} must name the model it imports into")

    def _connector_preview_start_import(self):
        """Queue the import the preview described (the first import held back at linking)."""
        raise NotImplementedError(f"{self._name} must say how its import starts")

    def _connector_preview_mappings_action(self):
        """The window action listing the field mappings this import uses, to fix them."""
        raise NotImplementedError(f"{self._name} must say where its mappings are")

    def action_preview_import(self):
        """Open the import preview of these objects."""
        return self.env["connector.import.preview"]._open_for(self)
