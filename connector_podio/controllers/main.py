import logging

from odoo import http

from odoo.addons.connector_base.controllers.webhook import WebhookIntake, webhook_route
from odoo.addons.connector_base.lib.signature import constant_time_equal

from ..lib.hooks import redact_hook_paths


class _RedactHookSecrets(logging.Filter):
    """Odoo logs each request line (werkzeug): the hook URL's secret must not be in it."""

    def filter(self, record):
        message = record.getMessage()
        masked = redact_hook_paths(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


logging.getLogger("werkzeug").addFilter(_RedactHookSecrets())


class PodioWebhookIntake(WebhookIntake):
    """A hook delivery reaches its backend only through the secret of its URL: with a wrong
    one the backend is unknown (404) and nothing is stored, ``hook.verify`` included."""

    def __init__(self, backend_model, backend_id, path_secret):
        super().__init__(backend_model, backend_id)
        self.path_secret = path_secret

    def _find_backend(self):
        backend = super()._find_backend()
        if backend and constant_time_equal(
            backend._connector_secret("hook_path_secret") or "", self.path_secret
        ):
            return backend
        return backend.browse()


class PodioController(http.Controller):
    @webhook_route("/connector/podio/hook/<int:backend_id>/<string:path_secret>")
    def podio_hook(self, backend_id, path_secret, **params):
        """Podio's form-encoded hook calls: ``hook.verify`` and the item events."""
        return PodioWebhookIntake("podio.backend", backend_id, path_secret).handle()
