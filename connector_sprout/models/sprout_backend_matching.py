from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.connector_base.lib.sync import FROM_CONNECTOR

from ..lib import matching

# An author is bound to a partner per network: ``author:instagram``, ``author:facebook``...
AUTHOR_PREFIX = "author:"


def author_type(network):
    return f"{AUTHOR_PREFIX}{(network or '').lower()}"


class SproutBackendMatching(models.Model):
    """Who wrote a message, as a partner: the author's binding first (set by a person's
    correction or an earlier email or phone match), then an email or phone written in the
    message, then the partner whose name is most like the author's, above the backend's
    threshold. An email or phone match binds the author; a name match only proposes."""

    _inherit = "sprout.backend"  # pylint: disable=consider-merging-classes-inherited

    match_name_threshold = fields.Float(
        string="Name match threshold",
        default=0.85,
        help="How alike (0 to 1) an author's name and a contact's must be for the contact to be "
        "proposed as the author, when neither a binding nor an email or phone in the message says who.",
    )

    def _sprout_match_authors(self, messages):
        """Give a partner to the messages of others that have none, and say how it was found."""
        self.ensure_one()
        pending = messages.filtered(
            lambda message: message.author_guid and not message.partner_id and not message.sent_by_us
        )
        Binding = self.env["connector.external.binding"]
        for network, of_network in pending.grouped("network").items():
            external_type = author_type(network)
            authors = list(set(of_network.mapped("author_guid")))
            # A contact deleted since it was bound leaves its binding behind: not a match.
            bound = {
                author: partner
                for author, partner in Binding._find(self, external_type, "res.partner", authors).items()
                if partner.exists()
            }
            for message in of_network:
                partner, method, score = bound.get(message.author_guid), "binding", 1.0
                if not partner:
                    partner, method = self._sprout_partner_in_text(message.text)
                    # ON CONFLICT DO NOTHING: a partner bound to another author of the network keeps it.
                    row = (message.author_guid, partner.id, None, None, None)
                    if partner and Binding._insert(self, external_type, "res.partner", [row]):
                        bound[message.author_guid] = partner
                if not partner:
                    (partner, score), method = self._sprout_partner_by_name(message.author_name), "name"
                if partner:
                    message.with_context(**{FROM_CONNECTOR: True}).write(
                        {"partner_id": partner.id, "match_method": method, "match_score": score}
                    )

    def _sprout_partner_in_text(self, text):
        """(partner, "email" or "phone") of the first address or number in ``text`` a contact
        has, or (empty, None)."""
        Partner = self.env["res.partner"]
        for email in matching.emails_in(text):
            partner = Partner.search([("email", "=ilike", email)], limit=1)
            if partner:
                return partner, "email"
        keys = matching.phone_keys_in(text)
        if keys:
            self.env.cr.execute(
                SQL(
                    r"""
                    SELECT id FROM res_partner
                     WHERE active
                       AND (right(regexp_replace(phone, '\D', '', 'g'), %(digits)s) = ANY(%(keys)s)
                            OR right(regexp_replace(mobile, '\D', '', 'g'), %(digits)s) = ANY(%(keys)s))
                     ORDER BY id LIMIT 1
                    """,
                    digits=matching.PHONE_KEY_DIGITS,
                    keys=keys,
                )
            )
            row = self.env.cr.fetchone()
            if row:
                return Partner.browse(row[0]), "phone"
        return Partner, None

    def _sprout_partner_by_name(self, name):
        """(partner, score) of the contact whose name is most like ``name`` at or above the
        threshold, among those sharing a word with it, or (empty, 0)."""
        Partner = self.env["res.partner"]
        words = matching.name_words(name)
        if not words:
            return Partner, 0.0
        domain = ["|"] * (len(words) - 1) + [("name", "ilike", word) for word in words]
        candidates = Partner.search(domain, limit=200)
        best = matching.best_name_match(
            name, {partner.id: partner.name for partner in candidates}, self.match_name_threshold
        )
        return (Partner.browse(best[0]), best[1]) if best else (Partner, 0.0)
