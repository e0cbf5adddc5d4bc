from . import connector_import_preview
from . import connector_sync_history
from . import connector_link_wizard
