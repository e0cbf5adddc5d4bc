from collections import defaultdict

from odoo import api, fields, models

MATCHES = [("email", "By email"), ("manual", "By a person")]


class TrelloMember(models.Model):
    """A Trello member seen on a linked board and the Odoo user it stands for.

    Members are matched to users by email when Trello shares the email; the others are
    listed for a person to map. No user is ever created from a member.
    """

    _name = "trello.member"
    _description = "Trello Member"
    _order = "backend_id, full_name, id"
    _rec_name = "full_name"

    backend_id = fields.Many2one("trello.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    member_id = fields.Char(string="Trello member ID", required=True, readonly=True)
    username = fields.Char(readonly=True)
    full_name = fields.Char(readonly=True)
    email = fields.Char(readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Odoo user",
        ondelete="set null",
        domain=[("share", "=", False)],
        help="Cards assigned to the member are assigned to this user, and the member's comments are theirs.",
    )
    match = fields.Selection(MATCHES, readonly=True, help="How the user was found.")

    _sql_constraints = [
        ("member_unique", "UNIQUE (backend_id, member_id)", "This member is already known for this backend."),
    ]

    def write(self, vals):
        if "user_id" in vals and "match" not in vals:
            vals = {**vals, "match": "manual" if vals["user_id"] else False}
        result = super().write(vals)
        if "user_id" in vals:
            # Assignees and comment authors of the cards change with the mapping: read the boards again.
            self.backend_id.board_ids.filtered("active")._enqueue_import()
        return result

    @api.model
    def _sync_members(self, backend, members):
        """Record the members of a board read from Trello and match new ones by email.

        ``members``: Trello member objects (id, username, fullName, email when shared).
        """
        known = {member.member_id: member for member in self.search([("backend_id", "=", backend.id)])}
        emails = {member["email"].lower() for member in members if member.get("email")}
        users = defaultdict(list)
        if emails:
            domain = ["|"] * (len(emails) - 1) + [("email", "=ilike", email) for email in emails]
            for user in self.env["res.users"].search([("share", "=", False), *domain]):
                users[(user.email or "").lower()].append(user.id)
        created, updated = [], 0
        for member in members:
            values = {
                "username": member.get("username"),
                "full_name": member.get("fullName") or member.get("username"),
                "email": member.get("email") or False,
            }
            record = known.get(member["id"])
            if record is None:
                matches = users.get((member.get("email") or "").lower(), [])
                if len(matches) == 1:
                    values.update({"user_id": matches[0], "match": "email"})
                created.append({"backend_id": backend.id, "member_id": member["id"], **values})
                continue
            changed = {key: value for key, value in values.items() if record[key] != value}
            if changed:
                record.write(changed)
                updated += 1
        self.create(created)
        return {"created": len(created), "updated": updated, "skipped": len(members) - len(created) - updated}

    @api.model
    def _users_by_member(self, backend):
        """{member id: user id} of the mapped members."""
        members = self.search_fetch(
            [("backend_id", "=", backend.id), ("user_id", "!=", False)], ["member_id", "user_id"]
        )
        return {member.member_id: member.user_id.id for member in members}

    @api.model
    def _members_by_user(self, backend, users):
        """{user id: member id} for the users mapped to a member."""
        members = self.search_fetch(
            [("backend_id", "=", backend.id), ("user_id", "in", users.ids)], ["member_id", "user_id"]
        )
        return {member.user_id.id: member.member_id for member in members}

    @api.model
    def _partners_by_member(self, backend):
        """{member id: partner id} of the mapped members, to attribute their comments."""
        members = self.search([("backend_id", "=", backend.id), ("user_id", "!=", False)])
        return {member.member_id: member.user_id.partner_id.id for member in members}
