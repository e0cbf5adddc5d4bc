import json

from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestSettingsOverHttp(HttpCase):
    """The Settings screen a connector manager opens, fetched the way the web client does."""

    def call_kw(self, model, method, args, kwargs=None):
        response = self.url_open(
            "/web/dataset/call_kw",
            data=self.make_jsonrpc_request_body(model, method, args, kwargs),
            headers={"Content-Type": "application/json"},
        )
        response.raise_for_status()
        payload = response.json()
        self.assertNotIn("error", payload, payload.get("error"))
        return payload["result"]

    @staticmethod
    def make_jsonrpc_request_body(model, method, args, kwargs):
        return json.dumps(
            {
                "jsonrpc": "2.0",
                "method": "call",
                "params": {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
            }
        )

    def test_the_connectors_block_renders_with_its_settings(self):
        self.authenticate("admin", "admin")
        views = self.call_kw("res.config.settings", "get_views", [], {"views": [[False, "form"]]})
        arch = views["views"]["form"]["arch"]
        for expected in (
            'name="connector_base"',
            "connector_encryption_status",
            "connector_job_max_attempts",
            "connector_job_retention_days",
            "connector_circuit_breaker_threshold",
            "action_connector_reencrypt_secrets",
        ):
            self.assertIn(expected, arch)
        spec = {
            name: {}
            for name in (
                "connector_encryption_status",
                "connector_job_retention_days",
                "connector_job_max_attempts",
                "connector_retry_base_seconds",
            )
        }
        settings_id = self.call_kw("res.config.settings", "create", [{}])
        [values] = self.call_kw("res.config.settings", "web_read", [[settings_id]], {"specification": spec})
        self.assertIn("Encryption key configured", values["connector_encryption_status"])
        self.assertEqual(values["connector_job_retention_days"], 30)
        self.assertEqual(values["connector_job_max_attempts"], 5)

    def test_a_connector_user_does_not_see_the_connectors_block(self):
        self.env["res.users"].create(
            {
                "name": "Connector user",
                "login": "connector_settings_user",
                "password": "connector_settings_user",
                "groups_id": [(6, 0, [self.env.ref("connector_base.group_connector_user").id])],
            }
        )
        self.authenticate("connector_settings_user", "connector_settings_user")
        response = self.url_open(
            "/web/dataset/call_kw",
            data=self.make_jsonrpc_request_body(
                "res.config.settings", "get_views", [], {"views": [[False, "form"]]}
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertIn("error", response.json(), "Settings are for administrators")
