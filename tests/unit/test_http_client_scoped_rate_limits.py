"""The base client applies every scoped quota (Trello: per token and per API key) to each call."""

import time

import pytest

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.http_client import HttpClient
from odoo.addons.connector_base.tests.emulator import Emulator


class TwoQuotaClient(HttpClient):
    scoped_rate_limits = {"token": (100, 10), "key": (2, 0.5)}


@pytest.fixture
def api():
    emulator = Emulator()
    emulator.router.add("GET", "/ping", lambda request: {"ok": True})
    with emulator:
        yield emulator


def test_the_strictest_scoped_quota_spaces_the_calls(api, tmp_path):
    holders = {"token": "t1", "key": "k1"}
    with TwoQuotaClient(api.base_url, rate_limit_holders=holders, rate_limit_dir=str(tmp_path)) as client:
        started = time.monotonic()
        for _call in range(4):
            client.get("/ping")

    assert time.monotonic() - started >= 0.45
    assert api.count() == 4


def test_a_scoped_quota_beyond_the_in_call_wait_raises_before_sending(api, tmp_path):
    class SlowKeyClient(HttpClient):
        scoped_rate_limits = {"key": (1, 60)}

    with SlowKeyClient(
        api.base_url, rate_limit_holders={"key": "k2"}, rate_limit_dir=str(tmp_path), max_in_call_wait=0.1
    ) as client:
        client.get("/ping")
        with pytest.raises(errors.RateLimitedError) as raised:
            client.get("/ping")

    assert raised.value.retry_after > 59
    assert api.count() == 1


def test_without_holders_no_scoped_quota_applies(api):
    with TwoQuotaClient(api.base_url) as client:
        assert client.scoped_rate_limiters == []
