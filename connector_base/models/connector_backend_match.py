from odoo import models
from odoo.tools import SQL

from ..lib.errors import RetryableError


class ConnectorBackendMatch(models.AbstractModel):
    """Finding the existing record an imported object stands for, before creating one,
    safely when several jobs import at once (two items with the same email)."""

    # One concern per file: several files of this addon extend this model.
    _inherit = "connector.backend.mixin"  # pylint: disable=consider-merging-classes-inherited

    def _connector_match_existing(self, model_name, candidates):
        """The record of ``model_name`` an object matches, or an empty recordset.

        ``candidates``: ``(key, domain)`` pairs, most telling first (an email, then a name and
        company); ``key`` names what the domain looks for, e.g. ``"email:ana@example.com"``.
        Each key is locked for this transaction (another job matching the same key is
        retried once this one has committed what it created). The search reads this
        transaction first (what it created itself), then what is committed now, not its
        snapshot: a match another job committed after this transaction began makes it
        retry, so it binds that record instead of creating a second one.
        """
        self.ensure_one()
        for key, _domain in candidates:
            self.env.cr.execute(
                SQL(
                    "SELECT pg_try_advisory_xact_lock(hashtext(%s), hashtext(%s))",
                    "connector.match",
                    f"{model_name}:{key}",
                )
            )
            if not self.env.cr.fetchone()[0]:
                raise RetryableError(f"another job is importing the {model_name} matching {key}; retrying")
        Model = self.env[model_name].sudo()
        for _key, domain in candidates:
            if record := Model.search(domain, limit=1):
                return record.with_env(self.env)
        self.env.flush_all()
        with self.env.registry.cursor() as cr:
            Committed = Model.with_env(Model.env(cr=cr))
            found = next(
                (ids for _key, domain in candidates if (ids := Committed.search(domain, limit=1).ids)), []
            )
        record = Model.browse(found).exists()
        if found and not record:
            raise RetryableError(f"a matching {model_name} was committed meanwhile; retrying")
        return record.with_env(self.env)
