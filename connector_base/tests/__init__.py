from . import test_error_text
from . import test_settings_http
from . import test_webhook_health_of
from . import test_field_setup
