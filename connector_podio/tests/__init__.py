from . import test_connection
from . import test_discover_and_import
from . import test_hooks
from . import test_polling_and_limits
from . import test_demo
from . import test_sales
