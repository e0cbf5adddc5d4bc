import json

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from odoo.addons.connector_base.tests.common import ConnectorCase


@tagged("post_install", "-at_install")
class TestSecretFieldsOverRpc(HttpCase):
    """What the web client's group-by and export menus send, on a backend's secret field."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = cls.env["test.connector.oauth.backend"].create(
            {"name": "Secret backend", "webhook_secret": "whsec-never-shown"}
        )

    def call_kw(self, model, method, args, kwargs=None):
        body = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        }
        response = self.url_open(
            "/web/dataset/call_kw", data=json.dumps(body), headers={"Content-Type": "application/json"}
        )
        response.raise_for_status()
        return response.json()

    def assertAccessErrorWithoutErrorLog(self, model, method, args, kwargs=None):
        with self.assertNoLogs(level="ERROR"):
            answer = self.call_kw(model, method, args, kwargs)
        self.assertNotIn("result", answer)
        self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.AccessError")
        self.assertNotIn("whsec-never-shown", json.dumps(answer))

    def test_grouping_on_a_secret_field_answers_an_access_error(self):
        self.authenticate("admin", "admin")
        self.assertAccessErrorWithoutErrorLog(
            "test.connector.oauth.backend",
            "web_read_group",
            [[], ["webhook_secret"], ["webhook_secret"]],
        )

    def test_exporting_a_secret_field_answers_an_access_error(self):
        self.authenticate("admin", "admin")
        self.assertAccessErrorWithoutErrorLog(
            "test.connector.oauth.backend", "export_data", [[self.backend.id], ["name", "webhook_secret"]]
        )


class TestSecretFieldsInTheOrm(ConnectorCase):
    def setUp(self):
        super().setUp()
        self.Backend = self.env["test.connector.oauth.backend"]
        self.signed = self.Backend.create({"name": "Signed", "webhook_secret": "whsec-one"})

    def test_aggregating_sorting_and_searching_a_secret_field_are_refused(self):
        with self.assertRaises(AccessError):
            self.Backend.read_group([], ["webhook_secret:count_distinct"], ["name"])
        with self.assertRaises(AccessError):
            self.Backend.search([], order="webhook_secret")
        with self.assertNoLogs(level="ERROR"), self.assertRaises(AccessError):
            # Odoo would otherwise log an error and return every backend.
            self.Backend.search([("webhook_secret", "=", "whsec-one")])

    def test_other_fields_still_group_export_and_search(self):
        self.assertEqual(self.Backend.search([("name", "=", "Signed")]), self.signed)
        self.assertEqual(self.signed.export_data(["name"])["datas"], [["Signed"]])
        groups = self.Backend.read_group([("id", "=", self.signed.id)], ["name"], ["name"])
        self.assertEqual([group["name"] for group in groups], ["Signed"])
