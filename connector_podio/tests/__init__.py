from . import test_connection
from . import test_discover_and_import
from . import test_hooks
from . import test_polling_and_limits
from . import test_demo
from . import test_sales

from . import test_export
from . import test_export_orders
from . import test_create_items
from . import test_create_orders
from . import test_reconcile
from . import test_create_killed_server
from . import test_tours
