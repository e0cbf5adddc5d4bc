from odoo import models
from odoo.osv import expression
from odoo.tools import SQL

from ..lib.errors import ConcurrencyError

MATCH_LOCKS = "connector.match"  # the advisory locks of one key each: (this, "<model>:<key>")
MODEL_MATCH_LOCKS = "connector.match.model"  # and of a whole model: (this, "<model>")
# The key locks a transaction takes of one model at most. PostgreSQL holds every advisory
# lock in a shared table of about 64 per connection (6,400 at its defaults); an import
# of 25,000 contacts in one job would take 50,000 and fail with "out of shared memory".
# Past this, the transaction takes the model's lock instead, and keeps it.
MAX_KEY_LOCKS = 500


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
        return self._connector_match_existing_many(model_name, [candidates])[0]

    def _connector_match_existing_many(self, model_name, candidates_list):
        """:meth:`_connector_match_existing` for many objects at once (a page of an import):
        the list of their records (each one, or an empty recordset), with one lock statement,
        one search in this transaction and one in what is committed, whatever their number.
        Candidates that are one ``(field, "=", text)`` leaf (a stored, indexed match key) are
        looked up together, one ``in`` per field: the search stays cheap as pages grow."""
        self.ensure_one()
        keys = sorted(
            {f"{model_name}:{key}" for candidates in candidates_list for key, _domain in candidates}
        )
        Model = self.env[model_name].sudo()
        if not keys:
            return [Model.browse().with_env(self.env) for _candidates in candidates_list]
        self._connector_lock_match_keys(model_name, keys)
        # Everything at once, before the search: the search itself would flush only the fields
        # it reads, and the committed search's flush_all the rest, writing each pending
        # record twice (two UPDATEs of the previous page's partners).
        self.env.flush_all()
        visible = Model.search(
            _any_of([domain for candidates in candidates_list for _key, domain in candidates])
        )
        matches = [_first_match(visible, candidates) for candidates in candidates_list]
        unmatched = [
            candidates for candidates, match in zip(candidates_list, matches, strict=True) if not match
        ]
        if domains := [domain for candidates in unmatched for _key, domain in candidates]:
            with self.env.registry.cursor() as cr:
                committed = Model.with_env(Model.env(cr=cr)).search(_any_of(domains))
                meanwhile = any(_first_match(committed, candidates) for candidates in unmatched)
            if meanwhile:
                raise ConcurrencyError(f"a matching {model_name} was committed meanwhile; retrying")
        return [match.with_env(self.env) for match in matches]

    def _connector_lock_match_keys(self, model_name, keys):
        """Lock ``keys`` (``"<model>:<key>"``) of ``model_name`` for this transaction, or raise
        ``ConcurrencyError`` (run again shortly) when another transaction holds one of them.

        Each key is locked alone (two jobs matching different objects run side by side),
        beside a shared lock of the model, until the transaction has taken
        ``MAX_KEY_LOCKS`` of them; from then on it locks the whole model instead (a big
        import), waiting for the transactions matching that model now to end, and the
        others' next matches retry until it commits. The count is kept for the
        transaction, never lowered: a savepoint rolled back only makes it lock the model
        sooner."""
        taken = self.env.cr.precommit.data.setdefault("connector_base.match_key_locks", {})
        if taken.get(model_name, 0) + len(keys) > MAX_KEY_LOCKS:
            taken[model_name] = MAX_KEY_LOCKS + 1
            self.env.cr.execute(
                SQL("SELECT pg_advisory_xact_lock(hashtext(%s), hashtext(%s))", MODEL_MATCH_LOCKS, model_name)
            )
            return
        self.env.cr.execute(
            SQL(
                "SELECT pg_try_advisory_xact_lock_shared(hashtext(%s), hashtext(%s))"
                " AND (SELECT bool_and(pg_try_advisory_xact_lock(hashtext(%s), hashtext(key)))"
                " FROM unnest(%s) AS key)",
                MODEL_MATCH_LOCKS,
                model_name,
                MATCH_LOCKS,
                keys,
            )
        )
        taken[model_name] = taken.get(model_name, 0) + len(keys)
        if not self.env.cr.fetchone()[0]:
            raise ConcurrencyError(
                f"another job is importing {model_name} records matching the same keys; retrying"
            )


def _any_of(domains):
    """The OR of ``domains``, those that are one ``(field, "=", text)`` leaf merged into one
    ``in`` per field: a page of candidates looked up by a stored key costs one hashed lookup
    per field instead of one condition per candidate."""
    values_by_field, others = {}, []
    for domain in domains:
        leaf = domain[0] if len(domain) == 1 else None
        if isinstance(leaf, tuple | list) and leaf[1] == "=" and isinstance(leaf[2], str):
            values_by_field.setdefault(leaf[0], []).append(leaf[2])
        else:
            others.append(domain)
    merged = [[(field, "in", sorted(set(values)))] for field, values in values_by_field.items()]
    return expression.OR([*merged, *others])


def _first_match(records, candidates):
    """The first of ``records`` matching the most telling of ``candidates`` that any matches."""
    for _key, domain in candidates:
        if found := records.filtered_domain(domain)[:1]:
            return found
    return records.browse()
