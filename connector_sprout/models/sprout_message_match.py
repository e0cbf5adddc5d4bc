from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.connector_base.lib.sync import FROM_CONNECTOR

from .sprout_backend_matching import author_type

MATCH_METHODS = [
    ("binding", "Known author"),
    ("email", "Email in the message"),
    ("phone", "Phone in the message"),
    ("name", "Similar name"),
    ("manual", "Set by a person"),
]


class SproutMessageMatch(models.Model):
    """The customer who wrote a message, how it was found and how sure that is. A person
    who sets or corrects it teaches the connector: the author is bound to that partner,
    its other messages follow, and so will its next ones."""

    _inherit = "sprout.message"  # pylint: disable=consider-merging-classes-inherited

    partner_id = fields.Many2one("res.partner", string="Customer", index=True, ondelete="set null")
    match_method = fields.Selection(MATCH_METHODS, string="Matched by", readonly=True)
    match_score = fields.Float(
        string="Match score", readonly=True, help="1 is certain; a similar name scores less."
    )

    def write(self, vals):
        if "partner_id" not in vals or self.env.context.get(FROM_CONNECTOR):
            return super().write(vals)
        set_by_person = {
            "match_method": "manual" if vals["partner_id"] else False,
            "match_score": 1.0 if vals["partner_id"] else 0.0,
        }
        result = super().write({**vals, **set_by_person})
        self._sprout_remember_authors()
        return result

    def _sprout_remember_authors(self):
        """Bind each corrected author to its message's partner (or unbind it), and give the
        author's other messages not set by a person the same partner."""
        Binding = self.env["connector.external.binding"]
        for message in self.filtered(lambda message: message.author_guid and not message.sent_by_us):
            backend, external_type = message.backend_id, author_type(message.network)
            current = Binding._of_external_ids(backend, external_type, [message.author_guid])
            partner = message.partner_id
            if not partner:
                current.unlink()
                continue
            taken = Binding._of_records(partner, backend, external_type) - current
            if taken:
                raise UserError(
                    self.env._(
                        "%(partner)s is already the customer of another %(network)s author "
                        "(%(author)s). Correct that author's messages first.",
                        partner=partner.display_name,
                        network=message.network or "-",
                        author=taken.external_id,
                    )
                )
            if current:
                current.res_id = partner.id
            else:
                Binding._bind(backend, external_type, {message.author_guid: partner})
            others = self.search(
                [
                    ("backend_id", "=", backend.id),
                    ("network", "=", message.network),
                    ("author_guid", "=", message.author_guid),
                    ("match_method", "!=", "manual"),
                    ("id", "not in", self.ids),
                ]
            )
            others.with_context(**{FROM_CONNECTOR: True}).write(
                {"partner_id": partner.id, "match_method": "binding", "match_score": 1.0}
            )
