from . import test_error_text
from . import test_settings_http
