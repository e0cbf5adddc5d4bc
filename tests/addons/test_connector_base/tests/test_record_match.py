from unittest.mock import patch

import psycopg2

from odoo.tools import mute_logger

from odoo.addons.connector_base.lib.errors import ConcurrencyError
from odoo.addons.connector_base.models import connector_backend_match
from odoo.addons.connector_base.tests.common import ConnectorCase


class TestRecordMatch(ConnectorCase):
    """_connector_match_existing: the record an imported object stands for, found once
    whichever of two jobs gets there first."""

    def candidates(self, email, name):
        return [
            (f"email:{email}", [("email", "=ilike", email)]),
            (f"name:{name}", [("name", "=ilike", name)]),
        ]

    def test_the_first_candidate_that_matches_wins(self):
        by_name = self.env["res.partner"].create({"name": "Ana Match"})
        by_email = self.env["res.partner"].create({"name": "Someone", "email": "ana.match@example.com"})

        found = self.backend._connector_match_existing(
            "res.partner", self.candidates("ana.match@example.com", "Ana Match")
        )

        self.assertEqual(found, by_email)
        self.assertNotEqual(found, by_name)

    def test_nothing_matching_is_an_empty_recordset(self):
        found = self.backend._connector_match_existing(
            "res.partner", self.candidates("nobody.match@example.com", "Nobody Match")
        )

        self.assertFalse(found)
        self.assertEqual(found._name, "res.partner")

    def test_a_key_another_job_is_matching_makes_this_one_retry(self):
        with self.committed_env() as other:
            other.cr.execute(
                "SELECT pg_advisory_xact_lock(hashtext('connector.match'), hashtext(%s))",
                ["res.partner:email:busy.match@example.com"],
            )
            with self.assertRaises(ConcurrencyError):
                self.backend._connector_match_existing(
                    "res.partner", self.candidates("busy.match@example.com", "Busy Match")
                )

    def test_a_match_committed_after_this_transaction_began_makes_it_retry(self):
        self.env["res.partner"].search([], limit=1)  # this transaction's snapshot is taken
        with self.committed_env() as other:
            partner_id = other["res.partner"].create({"name": "Late", "email": "late.match@example.com"}).id
        try:
            with self.assertRaises(ConcurrencyError):
                self.backend._connector_match_existing(
                    "res.partner", self.candidates("late.match@example.com", "Late Match")
                )
        finally:
            with self.committed_env() as other:
                other["res.partner"].browse(partner_id).unlink()

    def test_many_objects_are_matched_together_each_to_its_own_record(self):
        by_email = self.env["res.partner"].create({"name": "Someone", "email": "many.one@example.com"})
        by_name = self.env["res.partner"].create({"name": "Many Two"})
        candidates_list = [
            self.candidates("many.one@example.com", "Many One"),
            self.candidates("many.two@example.com", "Many Two"),
            *[self.candidates(f"many.{number}@example.com", f"Many {number}") for number in range(3, 30)],
        ]
        self.env.flush_all()

        with self.assertQueryCount(6):  # the locks, one search here, one in what is committed
            found = self.backend._connector_match_existing_many("res.partner", candidates_list)

        self.assertEqual(found[0], by_email)
        self.assertEqual(found[1], by_name)
        self.assertFalse(any(found[2:]))
        self.assertEqual(len(found), 29)

    def test_candidates_that_are_one_equality_are_searched_with_one_in_per_field(self):
        by_email = self.env["res.partner"].create({"name": "Someone", "email": "Equal.One@example.com"})
        by_ref = self.env["res.partner"].create({"name": "Other", "ref": "EQ-2"})
        candidates_list = [
            [
                (
                    f"email:equal.{number}@example.com",
                    [("email_normalized", "=", f"equal.{number}@example.com")],
                )
            ]
            for number in ("one", "three")
        ] + [[("ref:EQ-2", [("ref", "=", "EQ-2")])]]
        self.env.flush_all()
        searched = []
        Partner = type(self.env["res.partner"])
        search = Partner.search

        def spy(records, domain, *args, **kwargs):
            searched.append(domain)
            return search(records, domain, *args, **kwargs)

        with patch.object(Partner, "search", spy):
            found = self.backend._connector_match_existing_many("res.partner", candidates_list)

        self.assertEqual(found, [by_email, self.env["res.partner"], by_ref])
        self.assertIn(
            ("email_normalized", "in", ["equal.one@example.com", "equal.three@example.com"]), searched[0]
        )
        self.assertIn(("ref", "in", ["EQ-2"]), searched[0])

    def advisory_locks_held(self):
        """{(namespace, mode): count} of the advisory locks of two keys this transaction holds."""
        self.env.cr.execute(
            """
            SELECT CASE classid::bigint
                        WHEN hashtext('connector.match')::bigint & 4294967295 THEN 'key'
                        WHEN hashtext('connector.match.model')::bigint & 4294967295 THEN 'model'
                   END, mode, count(*)
              FROM pg_locks
             WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND objsubid = 2
             GROUP BY 1, 2
            """
        )
        return {(namespace, mode): count for namespace, mode, count in self.env.cr.fetchall()}

    def test_a_big_import_locks_its_model_instead_of_every_key(self):
        # 60,000 keys in one transaction: one lock each would overflow PostgreSQL's lock table
        # ("out of shared memory"), which holds about 64 per connection.
        for page in range(60):
            candidates_list = [
                [(f"ref:BIG-{page}-{number}", [("ref", "=", f"BIG-{page}-{number}")])]
                for number in range(1000)
            ]
            found = self.backend._connector_match_existing_many("res.partner", candidates_list)
            self.assertFalse(any(found))

        held = self.advisory_locks_held()
        self.assertLessEqual(held.get(("key", "ExclusiveLock"), 0), connector_backend_match.MAX_KEY_LOCKS)
        self.assertEqual(held.get(("model", "ExclusiveLock")), 1)

    def test_a_model_a_big_import_locked_makes_the_other_matches_retry(self):
        with self.committed_env() as other:
            other.cr.execute(
                "SELECT pg_advisory_xact_lock(hashtext('connector.match.model'), hashtext('res.partner'))"
            )
            with self.assertRaises(ConcurrencyError):
                self.backend._connector_match_existing(
                    "res.partner", self.candidates("free.match@example.com", "Free Match")
                )

    def test_a_big_import_waits_for_the_matches_other_jobs_are_making(self):
        with self.committed_env() as other:
            self.backend.with_env(other)._connector_match_existing(
                "res.partner", self.candidates("running.match@example.com", "Running Match")
            )
            self.env.cr.execute("SET LOCAL lock_timeout = '200ms'")
            with (
                patch.object(connector_backend_match, "MAX_KEY_LOCKS", 3),
                self.assertRaises(psycopg2.errors.LockNotAvailable),
                mute_logger("odoo.sql_db"),  # the statement the timeout cancelled
            ):
                self.backend._connector_match_existing_many(
                    "res.partner",
                    [
                        self.candidates(f"waiting.{number}@example.com", f"Waiting {number}")
                        for number in range(2)
                    ],
                )
