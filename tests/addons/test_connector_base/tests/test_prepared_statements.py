from odoo.tests.common import TransactionCase
from odoo.tools import SQL

from odoo.addons.connector_base.prepared_statements import execute_as_prepared, execute_prepared


class TestPreparedStatements(TransactionCase):
    """A statement is run as it is at its first use in a session and prepared at its second:
    a session using it once (a webhook request) pays no PREPARE."""

    def prepared_count(self, body_text):
        self.env.cr.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [f"%{body_text}%"]
        )
        return self.env.cr.fetchone()[0]

    def test_typed_statement_prepared_at_its_second_use_with_the_same_answers(self):
        body = SQL("SELECT $2 || %s || $1, $3 + 1 AS connector_typed_probe", "-")
        answers = []
        for count in range(3):
            execute_prepared(self.env.cr, ["varchar", "varchar", "int4"], body, ["b", "a", count])
            answers.append(self.env.cr.fetchone())
            self.assertEqual(self.prepared_count("connector_typed_probe"), 0 if count == 0 else 1)
        self.assertEqual(answers, [("a-b", 1), ("a-b", 2), ("a-b", 3)])

    def test_inferred_statement_prepared_at_its_second_use_with_the_same_answers(self):
        answers = []
        for count in range(3):
            execute_as_prepared(self.env.cr, SQL("SELECT %s::int * 2 AS connector_inferred_probe", count))
            answers.append(self.env.cr.fetchone()[0])
            self.assertEqual(self.prepared_count("connector_inferred_probe"), 0 if count == 0 else 1)
        self.assertEqual(answers, [0, 2, 4])
