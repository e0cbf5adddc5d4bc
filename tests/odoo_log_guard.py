"""pytest plugin: an Odoo test run that logs ERROR or CRITICAL fails.

Odoo's own runner fails a test that logs an error; under pytest the log line
would otherwise scroll by unnoticed. Tests that expect an error mute it with
``odoo.tools.mute_logger``. ``logged_errors`` applies the same rule to the log
file of an Odoo process (an install, or a run of Odoo's own test runner).
"""

import logging
import re

import pytest

# "<date> <time> <pid> <LEVEL> <database> <logger>: <message>", as Odoo writes its log.
ERROR_LINE = re.compile(r"^\S+ \S+ \d+ (?:ERROR|CRITICAL) (?:\S+ (?P<logger>[^:\s]+): (?P<message>.*))?")


def is_expected(logger_name, message):
    """pytest-odoo imports odoo.tests before it turns test mode on (it must: test
    mode at registry load would run every module's tests), and Odoo logs that."""
    return logger_name == "odoo.tests.common" and message.startswith("Importing test framework")


def logged_errors(log_text):
    """The ERROR and CRITICAL lines of an Odoo log, but those ``is_expected`` lets pass."""
    return [
        line
        for line in log_text.splitlines()
        if (found := ERROR_LINE.match(line)) and not is_expected(found["logger"], found["message"])
    ]


class _ErrorCollector(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records = []

    def emit(self, record):
        if is_expected(record.name, record.getMessage()):
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
