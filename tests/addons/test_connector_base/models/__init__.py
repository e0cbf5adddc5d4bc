from . import test_connector_backend
from . import test_connector_execution
from . import res_partner
