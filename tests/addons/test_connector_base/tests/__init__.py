from . import test_polling
from . import test_quarantine
