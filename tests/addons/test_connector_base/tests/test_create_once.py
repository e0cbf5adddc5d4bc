from odoo.addons.connector_base.tests.common import ConnectorCase


class TestCreateOnce(ConnectorCase):
    """``_connector_create_once``: the intent committed before a platform create, looked for on retry."""

    def setUp(self):
        super().setUp()
        self.Intent = self.env["connector.create.intent"]
        self.record = self.env["res.partner"].create({"name": "Created once"})
        self.calls = []
        # Intents are committed by their own cursors: remove them after the test.
        self.addCleanup(self.committed_intents, delete=True)

    def committed_intents(self, delete=False):
        """(token, started at) of the record's intents, as another transaction sees them."""
        with self.registry.cursor() as cr:
            verb = "DELETE FROM" if delete else "SELECT token, started_at FROM"
            cr.execute(
                f"{verb} connector_create_intent WHERE res_model = 'res.partner' AND res_id = %s"
                + ("" if delete else " ORDER BY id"),
                [self.record.id],
            )
            return [] if delete else cr.fetchall()

    def platform_create(self, token):
        self.calls.append(("create", token, self.committed_intents()))
        return {"id": "remote-new", "token": token}

    def finder(self, found):
        def find(token, started_at):
            self.calls.append(("find", token, started_at))
            return found

        return find

    def test_the_intent_is_committed_before_the_call_and_forgotten_after_the_commit(self):
        external, created = self.backend._connector_create_once(
            "thing", self.record, self.platform_create, self.finder(None)
        )

        self.assertTrue(created)
        [(call, token, seen_during_the_call)] = self.calls
        self.assertEqual(call, "create")
        self.assertEqual([row[0] for row in seen_during_the_call], [token])
        self.assertEqual(external["id"], "remote-new")
        self.env.cr.postcommit.run()  # what the job's commit runs
        self.assertEqual(self.committed_intents(), [])

    def test_a_retry_takes_what_the_interrupted_attempt_created(self):
        # The first attempt recorded its intent, called the platform and died.
        token, started_at, retried = self.Intent._open(self.backend, "thing", self.record)
        self.assertFalse(retried)
        earlier = {"id": "remote-earlier"}

        external, created = self.backend._connector_create_once(
            "thing", self.record, self.platform_create, self.finder(earlier)
        )

        self.assertEqual((external, created), (earlier, False))
        self.assertEqual(self.calls, [("find", token, started_at)])

    def test_a_retry_that_finds_nothing_creates_with_the_first_token(self):
        token, _started_at, _retried = self.Intent._open(self.backend, "thing", self.record)

        external, created = self.backend._connector_create_once(
            "thing", self.record, self.platform_create, self.finder(None)
        )

        self.assertTrue(created)
        self.assertEqual([call[0] for call in self.calls], ["find", "create"])
        self.assertEqual(external["token"], token, "Podio would get the same external_id again")

    def test_a_refused_create_forgets_its_intent_at_once_so_the_retry_creates(self):
        def refused(token):
            self.calls.append(("refused", token))
            raise RuntimeError("the platform answered 429: nothing was made")

        with self.assertRaises(RuntimeError):
            self.backend._connector_create_once("thing", self.record, refused, self.finder(None))
        self.assertEqual(len(self.committed_intents()), 1, "committed before the call, kept by the failure")

        self.Intent._forget(self.backend, "thing", self.record)

        self.assertEqual(self.committed_intents(), [], "gone without waiting for a commit")
        external, created = self.backend._connector_create_once(
            "thing", self.record, self.platform_create, self.finder({"id": "never"})
        )
        self.assertEqual((external["id"], created), ("remote-new", True))
        self.assertNotIn("find", [call[0] for call in self.calls], "no earlier attempt to look for")
