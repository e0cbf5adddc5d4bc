"""Which refusal an answer is: the credential itself, or one object to a working credential."""

import json

import pytest
import requests

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.http_client import HttpClient


def answer(status, body):
    response = requests.models.Response()
    response.status_code = status
    if isinstance(body, dict):
        response._content = json.dumps(body).encode()
        response.headers["Content-Type"] = "application/json"
    else:
        response._content = body.encode()
        response.headers["Content-Type"] = "text/plain"
    return response


class OneObjectIn401(HttpClient):
    """A platform answering 401 with its own text for an object the token may not see."""

    platform = "Example"

    def _refuses_credential(self, status, code, message):
        return status == 401 and message != "no access to this card"


@pytest.mark.parametrize(
    ("status", "expected"),
    [(401, errors.AuthenticationError), (403, errors.PermissionDeniedError)],
)
def test_by_default_a_401_refuses_the_credential_and_a_403_one_object(status, expected):
    error = HttpClient("https://api.example.com")._error("GET", "/cards/1", answer(status, {"message": "no"}))

    assert type(error) is expected
    assert error.status == status


def test_a_client_names_the_401_that_refuses_one_object_only():
    client = OneObjectIn401("https://api.example.com")

    object_refusal = client._error("GET", "/cards/1", answer(401, "no access to this card"))
    credential_refusal = client._error("GET", "/cards/1", answer(401, "invalid token"))

    assert type(object_refusal) is errors.PermissionDeniedError
    assert object_refusal.platform_message == "no access to this card"
    assert "needs access to this object" in str(object_refusal)
    assert type(credential_refusal) is errors.AuthenticationError
    assert "check the credentials" in str(credential_refusal)
