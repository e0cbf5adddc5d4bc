from textwrap import shorten

from markupsafe import Markup

from odoo import fields, models
from odoo.tools import plaintext2html

from odoo.addons.connector_base.lib.sync import FROM_CONNECTOR

from ..lib.lead_rules import conversation_key, first_rule
from ..lib.matching import emails_in, phones_in

LEAD_NAME_LENGTH = 60


class SproutBackendLeads(models.Model):
    """Leads from the inbox: a message from an author no customer matches that meets a
    lead rule makes one ``crm.lead`` per author and conversation (a Sprout case, else the
    profile written to), the rule's sales team on it and "Sprout Social" as its source;
    later messages of that conversation are linked to the same lead. A message holding
    one of its rule's urgent keywords also gives the team leader a to-do on the lead.

    Two jobs importing messages of one conversation at once make one lead: the
    conversation's key is claimed through ``_connector_match_existing``."""

    _inherit = "sprout.backend"  # pylint: disable=consider-merging-classes-inherited

    lead_count = fields.Integer(string="Leads", compute="_compute_lead_count")

    def _compute_lead_count(self):
        counts = dict(
            self.env["sprout.message"]._read_group(
                [("backend_id", "in", self.ids), ("lead_id", "!=", False)],
                ["backend_id"],
                ["lead_id:count_distinct"],
            )
        )
        for backend in self:
            backend.lead_count = counts.get(backend, 0)

    def action_view_leads(self):
        """The leads this backend's messages made or joined. They are made unassigned,
        waiting for their team: CRM's "My Pipeline" filter does not show them."""
        self.ensure_one()
        leads = (
            self.env["sprout.message"]
            .search([("backend_id", "=", self.id), ("lead_id", "!=", False)])
            .lead_id
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Leads from %(backend)s", backend=self.display_name),
            "res_model": "crm.lead",
            "views": [(False, "list"), (False, "kanban"), (False, "form")],
            "domain": [("id", "in", leads.ids)],
            "context": {"create": False, "active_test": False},
        }

    def _sprout_make_leads(self, messages):
        """Link the lead-worthy ``messages`` to their conversation's lead, made when there
        is none; returns the leads made."""
        self.ensure_one()
        Lead = self.env["crm.lead"]
        # The rules first: without any, a page's messages are not even looked at.
        rules = self.env["sprout.lead.rule"].search([("backend_id", "in", [self.id, False])])
        if not rules:
            return Lead
        waiting = messages.filtered(
            lambda message: (
                message.author_guid
                and not message.partner_id
                and not message.sent_by_us
                and not message.lead_id
            )
        )
        if not waiting:
            return Lead
        plain_rules, made = rules._sprout_rules(), Lead
        for message in waiting.sorted(lambda message: (message.created_time, message.id)):
            facts = {
                "text": message.text,
                "language": message.language,
                "post_type": message.post_type,
                "profile": message.profile_id.id,
            }
            chosen = first_rule(plain_rules, facts)
            if not chosen:
                continue
            rule = rules.browse(chosen.key)
            key = self._sprout_conversation_key(message)
            # Archived (lost) leads count: a conversation already turned down makes no new lead.
            lead = self.with_context(active_test=False)._connector_match_existing(
                "crm.lead", [(f"sprout:{key}", [("sprout_conversation_key", "=", key)])]
            )
            if not lead:
                lead = Lead.create(self._sprout_lead_values(message, rule, key))
                made |= lead
            message.with_context(**{FROM_CONNECTOR: True}).lead_id = lead
            if chosen.is_urgent(facts):
                self._sprout_flag_urgent(lead, message, rule)
        return made

    def _sprout_conversation_key(self, message):
        conversation = f"case:{message.case_id}" if message.case_id else f"profile:{message.profile_id.id}"
        return f"{self.id}:{conversation_key(message.network, message.author_guid, conversation)}"

    def _sprout_lead_values(self, message, rule, key):
        author = message.author_name or message.author_screen_name or message.author_guid
        description = plaintext2html(message.text or "")
        if message.permalink:
            description += Markup('<p><a href="%s" target="_blank">%s</a></p>') % (
                message.permalink,
                message.permalink,
            )
        values = {
            "name": self.env._(
                "%(author)s on %(network)s: %(text)s",
                author=author,
                network=message.profile_id.name or message.network or "Sprout Social",
                text=shorten(message.text or "-", LEAD_NAME_LENGTH, placeholder="..."),
            ),
            "contact_name": author,
            # Where the author asked to be reached (no contact has it: else the author would be matched).
            "email_from": next(iter(emails_in(message.text)), False),
            "phone": next(iter(phones_in(message.text)), False),
            "description": description,
            "source_id": self.env.ref("connector_sprout.utm_source_sprout").id,
            "company_id": self.company_id.id,
            "user_id": False,
            "sprout_conversation_key": key,
        }
        if rule.team_id:
            values["team_id"] = rule.team_id.id
        return values

    def _sprout_flag_urgent(self, lead, message, rule):
        """A to-do on the lead for its team's leader (else a member of it, else whoever runs the job)."""
        team = rule.team_id or lead.team_id
        user = team.user_id or team.member_ids[:1] or self.env.user
        lead.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._(
                "Urgent Sprout Social message from %(author)s", author=message.author_name or "-"
            ),
            note=plaintext2html(message.text or ""),
            user_id=user.id,
        )
