from . import test_quarantine
