from . import test_connection
from . import test_oauth_user
from . import test_profiles
from . import test_profile_link
from . import test_polling
from . import test_matching
from . import test_demo
from . import test_analytics
from . import test_limits
from . import test_reconcile

from . import test_leads
from . import test_publishing
from . import test_tours
