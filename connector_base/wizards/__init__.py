from . import connector_import_preview
