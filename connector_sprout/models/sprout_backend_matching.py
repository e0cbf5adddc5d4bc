from collections import defaultdict

from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.connector_base.lib.sync import FROM_CONNECTOR

from ..lib import matching

# An author is bound to a partner per network: ``author:instagram``, ``author:facebook``...
AUTHOR_PREFIX = "author:"
NAME_CANDIDATES = 200  # contacts sharing a word with a name compared with it, at most


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

    def _sprout_match_authors(self, messages, name_matches=None):
        """Give a partner to the messages of others that have none, and say how it was found.

        Once per author, not per message: an author's messages share the binding, the first
        email or phone found among them (that message says "email", the others then "binding")
        and the name match; the messages matched alike are written together. ``name_matches``:
        see :meth:`_sprout_partners_by_name`."""
        self.ensure_one()
        pending = messages.filtered(
            lambda message: message.author_guid and not message.partner_id and not message.sent_by_us
        )
        Binding = self.env["connector.external.binding"]
        matched = defaultdict(lambda: self.env["sprout.message"])
        by_name = []  # the messages of each author left to match by name, all looked up at once
        for network, of_network in pending.grouped("network").items():
            external_type = author_type(network)
            authors = list(set(of_network.mapped("author_guid")))
            # A contact deleted since it was bound leaves its binding behind: not a match.
            found = Binding._find(self, external_type, "res.partner", authors)
            alive = self.env["res.partner"].union(*found.values()).exists()
            bound = {author: partner for author, partner in found.items() if partner in alive}
            for author, of_author in of_network.grouped("author_guid").items():
                if author in bound:
                    matched[bound[author].id, "binding", 1.0] |= of_author
                    continue
                written = of_author
                for message in of_author:
                    partner, method = self._sprout_partner_in_text(message.text)
                    if partner:
                        matched[partner.id, method, 1.0] |= message
                        written -= message
                        # ON CONFLICT DO NOTHING: a partner bound to another author of the network keeps it.
                        if Binding._insert(
                            self, external_type, "res.partner", [(author, partner.id, None, None, None)]
                        ):
                            matched[partner.id, "binding", 1.0] |= written
                            written = written.browse()
                        break
                if written:
                    by_name.append(written)
        names = self._sprout_partners_by_name(
            [written[0].author_name for written in by_name], known=name_matches
        )
        for written in by_name:
            partner, score = names[written[0].author_name]
            if partner:
                matched[partner.id, "name", score] |= written
        for (partner_id, method, score), of_match in matched.items():
            of_match.with_context(**{FROM_CONNECTOR: True}).write(
                {"partner_id": partner_id, "match_method": method, "match_score": score}
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

    def _sprout_partners_by_name(self, names, known=None):
        """{name: (partner, score)} of the contact whose name is most like each of ``names``
        at or above the threshold, among the first 200 sharing a word with it, or (empty, 0).
        One search for all the names.

        ``known``: {name: (partner id or None, score)} of the names matched earlier in this
        transaction (a poll's pages), which are not looked for again; the names matched here
        are added to it. The import changes no contact, so an answer holds for the poll."""
        Partner = self.env["res.partner"]
        known = {} if known is None else known
        self._sprout_match_names({name for name in names if name not in known}, known)
        return {
            name: (Partner.browse(known[name][0]), known[name][1]) if known[name][0] else (Partner, 0.0)
            for name in names
        }

    def _sprout_match_names(self, names, known):
        """Add {name: (partner id or None, score)} of ``names`` to ``known``."""
        Partner = self.env["res.partner"]
        words_of = {name: matching.name_words(name) for name in names}
        words = sorted({word for of_name in words_of.values() for word in of_name})
        found = {}
        if words:
            domain = ["|"] * (len(words) - 1) + [("name", "ilike", word) for word in words]
            found = {row["id"]: row["name"] for row in Partner.search_read(domain, ["name"])}
        plain = {partner_id: matching.normalized_name(name) for partner_id, name in found.items()}
        # Which contacts hold each word, looked at once per word rather than once per name.
        holders = {
            word: {partner_id for partner_id, normalized in plain.items() if word in normalized}
            for word in words
        }
        position = {partner_id: rank for rank, partner_id in enumerate(found)}
        for name, of_name in words_of.items():
            ranked = sorted(set().union(*(holders[word] for word in of_name)), key=position.__getitem__)
            candidates = tuple((partner_id, found[partner_id]) for partner_id in ranked[:NAME_CANDIDATES])
            best = matching.remembered_best_match(name, candidates, self.match_name_threshold)
            known[name] = best if best else (None, 0.0)
