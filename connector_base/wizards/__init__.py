from . import connector_sync_history
