import pytest

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.http_client import HttpClient
from odoo.addons.connector_base.tests.emulator import Emulator, Response


class CountingPlatform(Emulator):
    """Answers with what is left of a quota of ``most`` calls, as Podio's headers do."""

    def __init__(self, most):
        super().__init__()
        self.left = most
        self.router.add("GET", "/things", self.things)

    def things(self, request):
        self.left -= 1
        return Response(200, [], {"X-Rate-Limit-Remaining": str(self.left)})


class PacedClient(HttpClient):
    platform = "Paced"
    quota_remaining_header = "X-Rate-Limit-Remaining"
    quota_reserve = 2
    quota_pause = 42.0


def test_a_client_stops_before_spending_the_reserve_of_the_platforms_quota():
    with CountingPlatform(most=5) as platform, PacedClient(platform.base_url) as client:
        client.get("/things")
        client.get("/things")
        client.get("/things")  # the answer says 2 left: the reserve

        with pytest.raises(errors.RateLimitedError) as raised:
            client.get("/things")

    assert raised.value.retryable and raised.value.retry_after == 42.0
    assert platform.count() == 3 and platform.left == 2


def test_a_client_without_the_quota_header_is_not_paced():
    with CountingPlatform(most=1) as platform, HttpClient(platform.base_url) as client:
        for _call in range(3):
            client.get("/things")

    assert platform.count() == 3
