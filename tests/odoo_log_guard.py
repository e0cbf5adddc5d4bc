"""pytest plugin: an Odoo test run that logs ERROR or CRITICAL fails.

Odoo's own runner fails a test that logs an error; under pytest the log line
would otherwise scroll by unnoticed. Tests that expect an error mute it with
``odoo.tools.mute_logger``.
"""

import logging

import pytest


class _ErrorCollector(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records = []

    def emit(self, record):
        if record.name == "odoo.tests.common" and record.getMessage().startswith("Importing test framework"):
            # pytest-odoo imports odoo.tests before it turns test mode on (it
            # must: test mode at registry load would run every module's tests).
            return
        self.records.append(record)


# Installed at import, before pytest-odoo loads Odoo, so nothing logged
# while Odoo starts escapes it.
_collector = _ErrorCollector()
logging.getLogger().addHandler(_collector)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    if not _collector.records:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    reporter.section("Odoo logged errors", red=True)
    for record in _collector.records:
        reporter.line(f"{record.levelname} {record.name}: {record.getMessage()}")
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
