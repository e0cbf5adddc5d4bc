from . import test_binding_helpers
from . import test_record_lifecycle
from . import test_secret_declaration
