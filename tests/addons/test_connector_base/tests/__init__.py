from . import test_polling
from . import test_quarantine
from . import test_refused_credentials_policy
