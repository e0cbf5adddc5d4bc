import itertools
from unittest.mock import patch

import requests

from odoo.addons.connector_podio.tests.emulator import email_values, text_value

from .common import PodioCase

COALESCE_SLEEP = "odoo.addons.connector_base.models.connector_sync_job_coalesce.time.sleep"


class TestHooks(PodioCase):
    def setUp(self):
        super().setUp()
        self.connect()
        self.app = self.link_app()

    def stored_events(self):
        return self.env["connector.webhook.event"].search(
            [("backend_model", "=", self.backend._name), ("backend_id", "=", self.backend.id)]
        )

    def test_linking_creates_the_item_hooks_at_a_url_with_the_backend_secret_in_the_path(self):
        hooks = list(self.podio.hooks.values())

        self.assertEqual(
            sorted(hook["type"] for hook in hooks), ["item.create", "item.delete", "item.update"]
        )
        secret = self.backend._connector_secret("hook_path_secret")
        self.assertGreaterEqual(len(secret), 32)
        self.assertEqual({hook["url"] for hook in hooks}, {f"{self.backend.webhook_url}/{secret}"})
        self.assertEqual(set(self.app.hook_ids.mapped("status")), {"inactive"})

    def test_hooks_made_again_take_ids_odoo_still_gives_to_hooks_podio_forgot(self):
        # A local Podio served again forgets its hooks and hands their ids out anew.
        first = min(int(hook_id) for hook_id in self.app.hook_ids.mapped("hook_id"))
        self.podio.hooks.clear()
        self.podio._ids = itertools.count(first - 4526000 + 1)  # each new hook takes the next one's id

        self.app.action_create_hooks()
        self.run_jobs()

        self.assertFalse(self.jobs(state="failed"))
        self.assertFalse(self.jobs(state="pending", method_name="_job_create_hooks"))
        self.assertEqual(
            sorted(self.app.hook_ids.mapped("hook_id")), sorted(str(hook_id) for hook_id in self.podio.hooks)
        )
        self.assertEqual(len(self.app.hook_ids), 3)

    def test_hook_verify_is_answered_at_once_and_validated_in_a_job(self):
        self.verify_hooks()

        self.assertEqual({hook["status"] for hook in self.podio.hooks.values()}, {"active"})
        self.assertTrue(self.app.hooks_active)
        self.assertEqual(len(self.jobs(method_name="_job_validate_hook", state="done")), 3)

    def test_created_updated_and_deleted_items_reach_their_partners(self):
        self.verify_hooks()
        item_id = self.podio.add_item(
            self.app_id,
            {"title": text_value("Dora Dias"), "email": email_values(("work", "dora@example.com"))},
        )
        self.assertEqual(self.deliver(), [200])
        self.run_jobs()
        self.assertEqual(self.partner_of(item_id).email, "dora@example.com")

        self.podio.update_item(item_id, {"title": text_value("Dora Dias Pereira")})
        self.assertEqual(self.deliver(), [200])
        self.run_jobs()
        self.assertEqual(self.partner_of(item_id).name, "Dora Dias Pereira")

        self.podio.delete_item(item_id)
        self.assertEqual(self.deliver(), [200])
        self.run_jobs()
        partner = self.partner_of(item_id)
        self.assertFalse(partner.active)
        self.assertFalse(self.jobs(state="failed"))

    def test_a_burst_of_changes_is_applied_in_one_run_each_item_read_once(self):
        self.verify_hooks()
        names = ("Ana Silva", "Bruno Costa", "Carla Mendes")
        items = [self.sample_item(name) for name in names]
        for item_id, name in zip(items, names, strict=True):
            self.podio.update_item(item_id, {"title": text_value(f"{name} Renamed")})
        self.podio.update_item(items[0], {"title": text_value("Ana Silva Renamed Twice")})
        self.podio.reset()
        self.assertEqual(self.deliver(), [200, 200, 200, 200])

        ran = self.run_jobs()

        self.assertEqual(len(ran), 1, "the first event's job took the others along")
        self.assertEqual(self.podio.count("/item/{item_id}", "GET"), 3, "each item read once")
        self.assertEqual(
            [self.partner_of(item_id).name for item_id in items],
            ["Ana Silva Renamed Twice", "Bruno Costa Renamed", "Carla Mendes Renamed"],
        )
        self.assertEqual(set(self.jobs(method_name="_job_item_event").mapped("state")), {"done"})

    def test_a_burst_of_more_items_than_a_filter_call_weighs_is_read_from_one_listing(self):
        self.verify_hooks()
        names = ("Ana Silva", "Bruno Costa", "Carla Mendes")
        items = [self.sample_item(name) for name in names]
        for item_id, name in zip(items, names, strict=True):
            self.podio.update_item(item_id, {"title": text_value(f"{name} Renamed")})
        items += [self.podio.add_item(self.app_id, {"title": text_value(name)}) for name in ("Dora", "Eva")]
        self.podio.reset()
        self.assertEqual(self.deliver(), [200] * 5)

        [run] = self.run_jobs()

        self.assertEqual(self.podio.count("/item/app/{app_id}/filter/", "POST"), 1)
        self.assertEqual(self.podio.count("/item/{item_id}", "GET"), 0)
        self.assertEqual(
            [self.partner_of(item_id).name for item_id in items],
            ["Ana Silva Renamed", "Bruno Costa Renamed", "Carla Mendes Renamed", "Dora", "Eva"],
        )
        self.assertEqual(run.records_created, 2)

    def test_a_burst_on_a_half_spent_quota_gathers_more_events_into_one_listing(self):
        self.verify_hooks()
        names = ("Ana Silva", "Bruno Costa", "Carla Mendes")
        items = [self.sample_item(name) for name in names]
        items += [
            self.podio.add_item(self.app_id, {"title": text_value(name)}, hook=False)
            for name in ("Dora", "Eva")
        ]
        for item_id in items[:2]:
            self.podio.update_item(item_id, {"title": text_value(f"Item {item_id} Renamed")})
        self.assertEqual(self.deliver(), [200, 200])
        [general] = self.backend._podio_client().scoped_rate_limiters
        for _call in range(int(general.available()) - general.capacity // 2):
            general.acquire()
        self.podio.reset()
        waits = []

        def more_events_arrive(seconds):
            waits.append(seconds)
            for item_id in items[2:]:
                self.podio.update_item(item_id, {"title": text_value(f"Item {item_id} Renamed")})
            self.env["connector.sync.job"]._enqueue(
                [
                    self.backend._podio_item_job("item.update", str(item_id), self.app.app_id)
                    for item_id in items[2:]
                ]
            )

        with patch(COALESCE_SLEEP, more_events_arrive):
            ran = self.run_jobs()

        self.assertEqual(len(ran), 1, "the first event's job took the others along, those of the wait too")
        # Half of 1,000 calls an hour spent: half of the 3.6 s in which one call comes back.
        self.assertEqual([round(wait, 1) for wait in waits], [1.8])
        self.assertEqual(self.podio.count("/item/app/{app_id}/filter/", "POST"), 1)
        self.assertEqual(self.podio.count("/item/{item_id}", "GET"), 0, "five items, one listing")
        self.assertEqual(
            [self.partner_of(item_id).name for item_id in items],
            [f"Item {item_id} Renamed" for item_id in items],
        )

    def test_a_redelivered_event_is_applied_once(self):
        self.verify_hooks()
        self.podio.update_item(self.sample_item("Ana Silva"), {"title": text_value("Ana Silva Pereira")})
        [delivery] = self.podio.outbox

        self.deliver()
        self.env.flush_all()
        self.podio.deliver(delivery)
        self.env.invalidate_all()

        self.assertEqual(len(self.jobs(method_name="_job_item_event")), 1)

    def test_events_out_of_order_end_in_the_item_s_state(self):
        self.verify_hooks()
        item_id = self.podio.add_item(self.app_id, {"title": text_value("Eva Esteves")})
        self.podio.delete_item(item_id)

        self.assertEqual(self.deliver(order=[1, 0]), [200, 200])  # the delete first, then the create
        self.run_jobs()

        partner = self.partner_of(item_id)
        self.assertFalse(partner and partner.active)
        self.assertFalse(self.jobs(state="failed"))

    def test_a_wrong_path_secret_is_refused_and_nothing_is_stored(self):
        self.verify_hooks()
        self.podio.update_item(self.sample_item("Ana Silva"), {"title": text_value("Forged")})
        [delivery] = self.podio.outbox
        jobs_before, events_before = self.jobs(), self.stored_events()
        self.env.flush_all()

        wrong = delivery.url.rsplit("/", 1)[0] + "/not-the-secret"
        answers = [
            requests.post(wrong, data=delivery.body, timeout=10).status_code,
            requests.post(
                wrong,
                data={"type": "hook.verify", "hook_id": delivery.body["hook_id"], "code": "x"},
                timeout=10,
            ).status_code,
            requests.post(delivery.url.rsplit("/", 1)[0], data=delivery.body, timeout=10).status_code,
        ]

        self.env.invalidate_all()
        self.assertEqual(answers, [404, 404, 404])
        self.assertEqual(self.jobs(), jobs_before)
        self.assertEqual(self.stored_events(), events_before)

    def test_a_delete_event_for_an_item_podio_still_has_archives_nothing(self):
        self.verify_hooks()
        item_id = self.sample_item("Ana Silva")
        self.podio.add_item(self.app_id, {"title": text_value("Someone")})  # an item.create delivery
        [delivery] = self.podio.outbox
        self.podio.outbox.clear()
        self.env.flush_all()

        forged = {**delivery.body, "type": "item.delete", "item_id": str(item_id)}
        self.assertEqual(requests.post(delivery.url, data=forged, timeout=10).status_code, 200)
        self.env.invalidate_all()
        self.run_jobs()

        self.assertTrue(self.partner_of(item_id).active)

    def test_an_unknown_hook_id_with_the_right_secret_is_refused_and_nothing_is_stored(self):
        self.verify_hooks()
        self.podio.update_item(self.sample_item("Ana Silva"), {"title": text_value("Forged")})
        [delivery] = self.podio.outbox
        jobs_before = self.jobs()
        self.env.flush_all()

        status = requests.post(delivery.url, data={**delivery.body, "hook_id": "999"}, timeout=10).status_code

        self.env.invalidate_all()
        self.assertEqual(status, 403)
        self.assertEqual(self.jobs(), jobs_before)

    def test_the_health_check_asks_inactive_hooks_to_verify_again(self):
        self.verify_hooks()
        hook_id = next(iter(self.podio.hooks))
        self.podio.deactivate_hook(hook_id)

        self.backend.action_check_health()

        self.assertFalse(self.app.hooks_active)
        self.run_jobs()  # the hooks job asks Podio for a new hook.verify
        self.verify_hooks_again()
        self.assertTrue(self.app.hooks_active)
        self.assertEqual(self.podio.hooks[hook_id]["status"], "active")

    def verify_hooks_again(self):
        self.assertEqual(self.deliver(), [200])
        self.run_jobs()
