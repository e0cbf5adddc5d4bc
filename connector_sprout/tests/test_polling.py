from datetime import datetime, timedelta
from unittest.mock import patch

from odoo.addons.connector_sprout.tests.emulator import UTC

from .common import SproutCase

MESSAGES = "/v1/{customer_id}/messages"


class TestPolling(SproutCase):
    def setUp(self):
        super().setUp()
        self.sync_metadata()

    @staticmethod
    def a_minute_ago():
        """Windows end before the present second: what happens in it comes with the next poll."""
        return datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)

    def test_nothing_is_polled_until_a_person_ticks_a_profile(self):
        self.assertEqual(self.backend._connector_poll_containers(), {})

        self.tick("ACME", "ACME Lisboa")

        shops = str(self.sample["groups"]["ACME Shops"])
        self.assertEqual(self.backend._connector_poll_containers(), {shops: "ACME Shops"})

    def test_a_poll_imports_the_ticked_profiles_messages_with_their_values(self):
        self.tick("ACME")

        self.poll()

        messages = self.messages()
        self.assertEqual(len(messages), 4)
        self.assertEqual(set(messages.profile_id.mapped("name")), {"ACME"})
        joana = messages.filtered(lambda message: message.author_screen_name == "joana_l")
        self.assertEqual(len(joana), 1)
        sample = next(
            m
            for m in self.sprout.messages
            if m["from"]["screen_name"] == "joana_l" and m["customer_profile_id"] == 4921
        )
        self.assertEqual(joana.guid, sample["guid"])
        self.assertEqual(joana.text, sample["text"])
        self.assertEqual(joana.network, "INSTAGRAM")
        self.assertEqual(joana.post_type, "INSTAGRAM_GRAPH_COMMENT")
        self.assertEqual(joana.permalink, sample["perma_link"])
        self.assertEqual(joana.author_name, "Joana")
        self.assertEqual(joana.author_guid, sample["from"]["guid"])
        self.assertEqual(joana.language, "pt")
        self.assertEqual(joana.tag_ids.mapped("name"), ["Question"])
        self.assertEqual(joana.created_time, datetime.strptime(sample["created_time"], "%Y-%m-%dT%H:%M:%SZ"))
        self.assertFalse(joana.sent_by_us)
        self.assertEqual(messages.filtered("sent_by_us").author_screen_name, "acme.pt")
        self.assertFalse(self.jobs(state="failed"))

    def test_a_poll_follows_the_cursor_across_pages(self):
        self.tick("ACME")
        start = self.sample_start - timedelta(days=2)
        for number in range(230):
            self.sprout.add_message(
                4921,
                f"Comment {number}",
                created_time=start + timedelta(minutes=number),
                author=(f"Fan {number}", f"fan{number}"),
            )

        self.poll()

        self.assertEqual(len(self.messages()), 234)
        self.assertEqual(len(set(self.messages().mapped("guid"))), 234)
        bodies = [request.json for request in self.sprout.requests if request.route == MESSAGES]
        self.assertEqual(
            sum(1 for body in bodies if "page_cursor" in body), 2, "three pages of the created window"
        )
        [poll] = self.jobs(method_name="_job_poll")
        self.assertEqual(
            poll.result_summary,
            "3 change(s) applied: 234 new, 0 updated, 0 unchanged.",
            "the poll stores each page",
        )
        self.assertFalse(self.jobs(method_name="_job_import_messages"), "no job per page")

    def test_polling_again_with_the_overlap_imports_nothing_twice(self):
        self.tick("ACME")
        self.poll()
        first = self.messages()
        imports = self.jobs(method_name="_job_import_messages")

        self.poll()

        self.assertEqual(self.messages(), first)
        self.assertEqual(
            self.jobs(method_name="_job_import_messages"),
            imports,
            "what the overlap read again queues nothing",
        )
        windows = [
            body["filters"]
            for body in (request.json for request in self.sprout.requests if request.route == MESSAGES)
        ]
        created = next(f for f in windows[-1] if f.startswith("created_time"))
        newest = max(m["created_time"] for m in self.sprout.messages if m["customer_profile_id"] == 4921)
        overlap_start = (datetime.strptime(newest, "%Y-%m-%dT%H:%M:%SZ") - timedelta(minutes=15)).strftime(
            "%Y-%m-%dT%H:%M:%S"
        )
        self.assertTrue(created.startswith(f"created_time.in({overlap_start}..."), created)

    def test_a_message_changed_in_sprout_is_updated_by_the_next_poll_with_one_lookup_a_page(self):
        self.tick("ACME")
        self.poll()
        newest = max(
            (message for message in self.sprout.messages if message["customer_profile_id"] == 4921),
            key=lambda message: message["created_time"],
        )
        newest["text"] = "Edited in Sprout"
        Binding = type(self.env["connector.external.binding"])
        lookup = Binding._lookup

        with patch.object(Binding, "_lookup", autospec=True, side_effect=lookup) as lookups:
            self.poll()

        record = self.messages().filtered(lambda message: message.guid == str(newest["guid"]))
        self.assertEqual(record.text, "Edited in Sprout")
        polls = self.jobs(method_name="_job_poll").sorted("id")
        self.assertEqual(polls[-1].result_summary, "1 change(s) applied: 0 new, 1 updated, 0 unchanged.")
        looked_up = [call.args[2] for call in lookups.call_args_list if call.args[2] == "message"]
        self.assertEqual(len(looked_up), 1, "the poll's lookup of the page serves its upsert")

    def test_an_idle_poll_writes_nothing(self):
        self.tick("ACME")
        self.poll()
        group = str(self.sample["groups"]["ACME Shops"])
        cursor = self.env["connector.poll.cursor"].search(
            [
                ("backend_model", "=", "sprout.backend"),
                ("backend_id", "=", self.backend.id),
                ("container", "=", group),
            ]
        )
        seen = (cursor.cursor, cursor.write_date)
        messages = [(message.id, message.write_date) for message in self.messages()]

        self.poll()

        self.assertEqual((cursor.cursor, cursor.write_date), seen)
        self.assertEqual([(message.id, message.write_date) for message in self.messages()], messages)
        self.assertEqual(len(self.jobs(method_name="_job_poll")), 2)
        self.assertEqual(
            self.jobs(method_name="_job_poll").sorted("id")[-1].result_summary, "Nothing changed."
        )

    def test_a_new_message_comes_with_the_next_poll_once(self):
        self.tick("ACME")
        self.poll()

        # A second before the present: a window never includes the second it ends in, so a
        # message of the present second would come with a later poll than these two.
        just_before = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)
        self.sprout.add_message(
            4921, "Any news on my order?", author=("Rui", "rui.m"), created_time=just_before
        )
        self.poll()
        self.poll()

        self.assertEqual(len(self.messages()), 5)
        self.assertEqual(
            len(self.messages().filtered(lambda message: message.author_screen_name == "rui.m")), 1
        )

    def test_a_later_action_on_an_old_message_updates_it(self):
        self.tick("ACME")
        self.poll()
        old = next(
            m for m in self.sprout.messages if m["customer_profile_id"] == 4921 and not m["internal"]["tags"]
        )
        campaign = self.sample["tags"]["Spring sale"]

        self.sprout.act_on(old["guid"], tags=[campaign], when=self.a_minute_ago())
        self.poll_actions()

        record = self.messages().filtered(lambda message: message.guid == old["guid"])
        self.assertEqual(record.tag_ids.mapped("name"), ["Spring sale"])
        self.assertEqual(len(self.messages()), 4)

    def poll_actions(self):
        self.backend._connector_enqueue_polls(self.backend._sprout_action_containers())
        return self.run_jobs()

    def poll_cursors(self):
        cursors = self.env["connector.poll.cursor"].search(
            [("backend_model", "=", "sprout.backend"), ("backend_id", "=", self.backend.id)]
        )
        return {cursor.container: (cursor.cursor, cursor.write_date) for cursor in cursors}

    def test_an_idle_poll_makes_one_call_per_profile_group_and_writes_nothing(self):
        # ACME is in both groups (polled in its first, Shops), ACME Portugal in Brand only.
        self.tick("ACME", "ACME Lisboa", "ACME Portugal")
        self.poll()
        self.poll_actions()
        cursors, messages = self.poll_cursors(), [(m.id, m.write_date) for m in self.messages()]
        self.assertEqual(len(messages), 10)

        for poll in (self.poll, self.poll_actions):
            calls = self.sprout.count(MESSAGES)
            poll()
            self.assertEqual(self.sprout.count(MESSAGES) - calls, 2, f"{poll.__name__}: one call per group")

        self.assertEqual(self.poll_cursors(), cursors)
        self.assertEqual([(m.id, m.write_date) for m in self.messages()], messages)
        self.assertFalse(self.jobs(method_name="_job_import_messages").filtered(lambda job: job.attempts > 1))

    def test_the_action_window_starts_where_the_last_change_was_seen(self):
        self.tick("ACME")
        self.poll()
        self.poll_actions()
        old = next(m for m in self.sprout.messages if m["customer_profile_id"] == 4921)
        action_container = f"actions:{self.sample['groups']['ACME Shops']}"
        before = self.poll_cursors()[action_container][0]

        self.sprout.act_on(old["guid"], tags=[self.sample["tags"]["Spring sale"]], when=self.a_minute_ago())
        self.poll_actions()

        cursor = self.poll_cursors()[action_container][0]
        self.assertGreater(cursor, before, "the window that brought a change moves the cursor to its end")
        self.sprout.act_on(old["guid"], tags=[], when=self.a_minute_ago() + timedelta(seconds=30))
        self.poll_actions()
        window = next(
            f for f in self.sprout.requests[-1].json["filters"] if f.startswith("action_last_update_time")
        )
        overlap_start = (datetime.strptime(cursor, "%Y-%m-%dT%H:%M:%SZ") - timedelta(minutes=15)).strftime(
            "%Y-%m-%dT%H:%M:%S"
        )
        self.assertTrue(window.startswith(f"action_last_update_time.in({overlap_start}..."), window)
        self.assertFalse(self.messages().filtered(lambda m: m.guid == old["guid"]).tag_ids)

    def test_the_action_cron_only_queues_action_polls(self):
        self.tick("ACME")
        calls = self.sprout.count(MESSAGES)

        self.env["sprout.backend"]._cron_sprout_poll_actions()

        self.assertEqual(self.sprout.count(MESSAGES), calls)
        polls = self.jobs(method_name="_job_poll", state="pending")
        self.assertEqual(
            polls.mapped("payload"), [{"container": f"actions:{self.sample['groups']['ACME Shops']}"}]
        )

    def test_a_tag_created_since_the_metadata_read_is_read_with_the_message(self):
        self.tick("ACME")
        fresh = self.sprout.add_tag("Complaint")
        self.sprout.add_message(
            4921, "Still waiting!", author=("Rui", "rui.m"), tags=[fresh], created_time=self.a_minute_ago()
        )

        self.poll()

        record = self.messages().filtered(lambda message: message.text == "Still waiting!")
        self.assertEqual(record.tag_ids.mapped("name"), ["Complaint"])

    def test_a_429_is_waited_out_and_nothing_is_lost(self):
        self.tick("ACME")
        self.sprout.rate_limit_next()

        self.poll()

        poll = self.jobs(method_name="_job_poll")
        self.assertEqual(poll.state, "pending")
        self.assertGreaterEqual(
            poll.next_attempt_at, datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=50)
        )
        self.assertFalse(self.messages())
        self.make_due(poll)
        self.run_jobs()
        self.assertEqual(len(self.messages()), 4)
        self.assertEqual(poll.state, "done")

    def test_a_202_is_asked_again_and_nothing_is_lost(self):
        self.tick("ACME")
        self.sprout.not_ready_next(
            wait_until=(datetime.now(UTC) + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        )

        self.poll()

        self.assertEqual(len(self.messages()), 4)
        self.assertEqual(self.jobs(method_name="_job_poll").state, "done")

    def test_a_long_202_goes_back_to_the_queue_and_nothing_is_lost(self):
        self.tick("ACME")
        self.sprout.not_ready_next(
            wait_until=(datetime.now(UTC) + timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
        )

        self.poll()

        poll = self.jobs(method_name="_job_poll")
        self.assertEqual(poll.state, "pending")
        self.make_due(poll)
        self.run_jobs()
        self.assertEqual(len(self.messages()), 4)

    def test_the_cron_only_queues_polls(self):
        self.tick("ACME")
        calls = self.sprout.count(MESSAGES)

        self.env["sprout.backend"]._cron_connector_poll()

        self.assertEqual(self.sprout.count(MESSAGES), calls)
        self.assertEqual(len(self.jobs(method_name="_job_poll", state="pending")), 1)


class TestPollingTimeouts(SproutCase):
    """Sprout answers 504 to a messages query too big for it and advises a smaller one."""

    def setUp(self):
        super().setUp()
        self.sync_metadata()
        self.lisboa = int(
            self.tick("ACME", "ACME Lisboa").filtered(lambda p: p.name == "ACME Lisboa").profile_id
        )
        start = self.sample_start - timedelta(days=2)
        for number in range(230):
            self.sprout.add_message(
                4921,
                f"Comment {number}",
                created_time=start + timedelta(minutes=number),
                author=("Fan", "fan"),
            )
        self.expected = sorted(
            m["guid"] for m in self.sprout.messages if m["customer_profile_id"] in (4921, self.lisboa)
        )

    def message_bodies(self):
        return [request.json for request in self.sprout.requests if request.route == MESSAGES]

    def test_a_page_the_poll_cannot_store_is_stored_by_a_job_of_its_own_on_the_retry(self):
        Backend = type(self.backend)
        make_leads = Backend._sprout_make_leads
        failures = iter([ValueError("a lead rule broke on this page")])

        def fails_once(backend, messages):
            if error := next(failures, None):
                raise error
            return make_leads(backend, messages)

        with patch.object(Backend, "_sprout_make_leads", autospec=True, side_effect=fails_once):
            self.poll()
            poll = self.jobs(method_name="_job_poll")
            self.assertEqual((poll.state, poll.attempts), ("pending", 1))
            self.assertIn("a lead rule broke on this page", poll.error_message)
            self.assertFalse(self.messages(), "what the poll stored is rolled back")
            self.make_due(poll)

            self.run_jobs()

        self.assertEqual(poll.state, "done")
        imports = self.jobs(method_name="_job_import_messages")
        self.assertEqual(len(imports), 3, "the retry queues each of the three pages")
        self.assertEqual(set(imports.mapped("state")), {"done"})
        self.assert_every_message_once()

    def assert_every_message_once(self):
        self.assertEqual(sorted(self.messages().mapped("guid")), self.expected)
        bindings = self.env["connector.external.binding"].search_count(
            [
                ("backend_model", "=", "sprout.backend"),
                ("backend_id", "=", self.backend.id),
                ("external_type", "=", "message"),
            ]
        )
        self.assertEqual(bindings, len(self.expected))

    def test_a_504_asks_for_fewer_profiles_then_shorter_windows_and_nothing_is_lost(self):
        # The first poll reads a week of two profiles (336 profile-hours); Sprout gives up above 100.
        self.sprout.messages_timeout_above = 100

        self.poll()

        self.assertEqual(self.jobs(method_name="_job_poll").state, "done")
        self.assert_every_message_once()
        self.assertEqual(len(self.sprout.timed_out), 3, "the whole group, then each profile alone")
        passed = [body for body in self.message_bodies() if body["filters"] not in self.sprout.timed_out]
        self.assertTrue(all(", " not in body["filters"][1] for body in passed), "one profile a query")
        self.assertEqual(
            len([body for body in passed if "page_cursor" not in body]),
            4,
            "each profile's week in two halves",
        )
        imports = self.jobs(method_name="_job_import_messages")

        self.poll()  # a short window now: it passes whole and brings nothing new

        self.assertEqual(self.jobs(method_name="_job_import_messages"), imports)
        self.assert_every_message_once()

    def test_a_504_on_a_later_page_reads_the_query_again_in_parts_and_queues_each_message_once(self):
        # The first page passes (a fault that only delays it), the second times out.
        self.sprout.faults.add(delay=0.01, route=MESSAGES)
        self.sprout.fail_next(504)

        self.poll()

        self.assertEqual(self.jobs(method_name="_job_poll").state, "done")
        self.assert_every_message_once()
        bodies = self.message_bodies()
        self.assertIn("page_cursor", bodies[1], "the 504 came on the second page")
        self.assertEqual(
            [body["filters"][1] for body in bodies[2:] if "page_cursor" not in body],
            ["customer_profile_id.eq(4921)", f"customer_profile_id.eq({self.lisboa})"],
            "then each profile alone",
        )
        poll = self.jobs(method_name="_job_poll")
        self.assertEqual(
            poll.result_summary,
            f"4 change(s) applied: {len(self.expected)} new, 0 updated, 0 unchanged.",
            "ACME's three pages and Lisboa's one; the page read before the 504 is not stored twice",
        )

    def test_a_504_even_the_smallest_part_gets_goes_back_to_the_queue_and_nothing_is_lost(self):
        self.sprout.messages_timeout_above = 0

        self.poll()

        poll = self.jobs(method_name="_job_poll")
        self.assertEqual(poll.state, "pending")
        self.assertFalse(self.messages())
        self.assertFalse(self.jobs(method_name="_job_import_messages"))
        self.sprout.messages_timeout_above = None
        self.make_due(poll)
        self.run_jobs()
        self.assertEqual(poll.state, "done")
        self.assert_every_message_once()
