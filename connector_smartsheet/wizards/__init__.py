from . import smartsheet_discover_wizard
