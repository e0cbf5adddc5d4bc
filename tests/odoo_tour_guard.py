"""pytest plugin: browser tours must run, never be skipped, and are counted.

Odoo skips a browser test when Chrome or its websocket client is missing, or
when Chrome does not start: under ``make test`` that would hide every tour. A
skipped tour test (a test whose name holds ``tour``) fails here instead, and
each tour that ran to its end is written to the file named by
``CONNECTOR_TOUR_COUNT_FILE`` for the test command's summary.
"""

import os

import pytest

_completed = []


def _count_tours():
    from odoo.tests import HttpCase  # noqa: PLC0415 - odoo is importable once pytest-odoo set it up

    original = HttpCase.start_tour

    def start_tour(self, url_path, tour_name, *args, **kwargs):
        result = original(self, url_path, tour_name, *args, **kwargs)
        _completed.append(tour_name)
        return result

    HttpCase.start_tour = start_tour


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session):
    _count_tours()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and "tour" in item.name:
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = (
            f"browser tour skipped ({reason}): tours must run. Install Chromium (apt-get install "
            "chromium) and websocket-client (pip install websocket-client)."
        )


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    path = os.environ.get("CONNECTOR_TOUR_COUNT_FILE")
    if path:
        with open(path, "w") as count_file:
            count_file.write("".join(f"{name}\n" for name in _completed))
