"""A platform answering "accepted, not ready yet" (Sprout's 202): the client asks again."""

import time

import pytest

from odoo.addons.connector_base.lib.http_client import HttpClient, NotReadyError
from odoo.addons.connector_base.tests.emulator import Emulator, Response

REPORT = "/reports/{report_id}"


class ReportEmulator(Emulator):
    """Answers 202 ``ready_after`` times for each report, then the report."""

    def __init__(self, ready_after=1, retry_after=None):
        super().__init__()
        self.ready_after = ready_after
        self.retry_after = retry_after
        self.asked = 0
        self.router.add("POST", REPORT, self.report)

    def report(self, request):
        self.asked += 1
        if self.asked <= self.ready_after:
            headers = {"Retry-After": str(self.retry_after)} if self.retry_after is not None else {}
            return Response(202, {"data": []}, headers)
        return {"data": [{"id": request.params["report_id"]}]}


class PatientClient(HttpClient):
    platform = "Example"
    not_ready_statuses = frozenset({202})
    not_ready_default_wait = 0.05


def test_not_ready_answer_is_asked_again_until_the_result_comes():
    with ReportEmulator(ready_after=2) as api:
        client = PatientClient(api.base_url, max_in_call_wait=1.0)
        assert client.post("/reports/7") == {"data": [{"id": "7"}]}
    assert api.asked == 3
    assert client.api_calls == 3


def test_not_ready_waits_the_platform_retry_after_before_asking_again():
    with ReportEmulator(ready_after=1, retry_after=0.3) as api:
        client = PatientClient(api.base_url, max_in_call_wait=1.0)
        started = time.monotonic()
        client.post("/reports/7")
        assert time.monotonic() - started >= 0.3


def test_not_ready_beyond_the_in_call_wait_is_handed_to_the_queue_with_its_wait():
    with ReportEmulator(ready_after=5, retry_after=120) as api:
        client = PatientClient(api.base_url, max_in_call_wait=1.0)
        with pytest.raises(NotReadyError) as raised:
            client.post("/reports/7")
    assert api.asked == 1, "a wait longer than the call's budget is not slept"
    assert raised.value.retryable
    assert raised.value.retry_after == 120
    assert raised.value.status == 202


def test_not_ready_stops_after_the_bounded_in_call_repeats():
    with ReportEmulator(ready_after=10) as api:
        client = PatientClient(api.base_url, max_in_call_wait=1.0)
        with pytest.raises(NotReadyError):
            client.post("/reports/7")
    assert api.asked == 1 + PatientClient.max_not_ready_retries


def test_a_platform_without_not_ready_statuses_takes_202_as_the_result():
    with ReportEmulator(ready_after=1) as api:
        client = HttpClient(api.base_url)
        assert client.post("/reports/7") == {"data": []}
    assert api.asked == 1
