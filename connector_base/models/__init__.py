from . import connector_backend_pause
from . import connector_credential
from . import connector_sync_job
from . import connector_external_binding
from . import connector_external_id_mixin
from . import connector_backend_mixin
from . import res_config_settings
