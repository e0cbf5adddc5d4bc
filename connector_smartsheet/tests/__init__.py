from . import test_connection
from . import test_demo_public_url
from . import test_export
from . import test_import_preview
from . import test_import_tasks
from . import test_manufacturing_inventory
from . import test_webhooks
