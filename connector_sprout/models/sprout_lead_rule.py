import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib.lead_rules import compile_pattern, lead_rule


class SproutLeadRule(models.Model):
    """When an inbox message from an author no customer matches becomes a CRM lead, and
    for which sales team. Rules are tried in their order; the first one a message meets
    decides. A manager edits them under Connectors > Sprout Social > Lead rules."""

    _name = "sprout.lead.rule"
    _description = "Sprout Social Lead Rule"
    _order = "sequence, id"

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    backend_id = fields.Many2one(
        "sprout.backend", string="Account", ondelete="cascade", help="Empty: every Sprout Social account."
    )
    company_id = fields.Many2one(related="backend_id.company_id", store=True)
    keywords = fields.Text(
        help="Words or phrases, one per comma or line, compared without case or accents: a message "
        "holding one meets the rule. Empty with no pattern: every message of the kinds below."
    )
    pattern = fields.Char(help="A regular expression (case-insensitive) a message may match instead.")
    languages = fields.Char(
        help="Language codes as Sprout gives them (en, pt...), comma-separated. Empty: any."
    )
    post_types = fields.Char(
        string="Post types",
        help="As Sprout names them (INSTAGRAM_DIRECT_MESSAGE, TWITTER_DIRECT_MESSAGE...), comma-separated. "
        "Empty: any.",
    )
    profile_ids = fields.Many2many("sprout.profile", string="Profiles", help="Empty: any profile.")
    team_id = fields.Many2one("crm.team", string="Sales team", help="The team of the leads this rule makes.")
    urgent_keywords = fields.Text(
        string="Urgent keywords",
        help="A message holding one of these (one per comma or line) also gets a to-do for the team leader.",
    )

    @api.constrains("pattern")
    def _check_pattern(self):
        for rule in self:
            try:
                compile_pattern(rule.pattern)
            except re.error as error:
                raise ValidationError(
                    self.env._(
                        "The pattern of rule %(rule)s is not a regular expression: %(error)s",
                        rule=rule.name,
                        error=error,
                    )
                ) from None

    def _sprout_rules(self):
        """These rules as plain values, in their order."""
        return [
            lead_rule(
                rule.id,
                keywords=rule.keywords,
                pattern=rule.pattern,
                languages=rule.languages,
                post_types=rule.post_types,
                profiles=set(rule.profile_ids.ids),
                urgent_keywords=rule.urgent_keywords,
            )
            for rule in self
        ]
