from odoo import models
from odoo.http import request

from ..lib import webhook


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _pre_dispatch(cls, rule, args):
        result = super()._pre_dispatch(rule, args)
        if rule.endpoint.routing.get("connector_webhook"):
            # Before Odoo parses a form body (Podio posts forms): the signature and
            # the stored event need the raw bytes, read once and capped at the
            # route's max_content_length. Odoo's own websocket code reaches the
            # WSGI environ the same way.
            environ = request.httprequest._HTTPRequest__environ
            webhook.buffer_wsgi_body(environ, request.httprequest.max_content_length)
            # The cap is applied: Odoo parses the buffered body (empty when too large), and
            # the intake answers and counts an oversized delivery like any refused one.
            request.httprequest.max_content_length = None
        return result
