from . import test_sync_job
from . import test_job_runner
from . import test_backend_pause
from . import test_external_binding
from . import test_credentials
from . import test_security
