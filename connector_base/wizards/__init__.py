from . import connector_import_preview
from . import connector_sync_history
