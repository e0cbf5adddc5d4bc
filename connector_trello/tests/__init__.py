from . import test_connection
from . import test_export
from . import test_import
from . import test_import_preview
from . import test_structure
from . import test_webhooks
from . import test_demo_public_url
from . import test_create_once
