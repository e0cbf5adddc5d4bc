from . import test_connector_backend
from . import test_connector_execution
from . import test_connector_oauth_backend
from . import res_partner
from . import test_connector_stage
from . import test_connector_task
from . import test_connector_batch_backend
from . import test_connector_cards

from . import test_connector_board
from . import test_connector_card
