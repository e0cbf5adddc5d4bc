from odoo.exceptions import UserError

from .common import SproutCase


class TestProfileLink(SproutCase):
    def open_wizard(self):
        action = self.backend.action_choose_profiles()
        return self.env[action["res_model"]].with_context(**action["context"]).create({})

    def line(self, wizard, name):
        return wizard.line_ids.filtered(lambda line: line.name == name)

    def test_the_wizard_offers_the_profiles_sprout_has_now(self):
        self.sync_metadata()
        self.sprout.add_profile("facebook", "ACME Porto", native_name="acmeporto", groups=[23598])

        wizard = self.open_wizard()

        self.assertEqual(
            set(wizard.line_ids.mapped("name")), {"ACME", "ACME Lisboa", "ACME Portugal", "ACME Porto"}
        )
        porto = self.line(wizard, "ACME Porto")
        self.assertEqual((porto.network, porto.handle, porto.groups), ("facebook", "acmeporto", "ACME Shops"))
        self.assertIn("ACME Porto", self.backend.profile_ids.mapped("name"), "read into Odoo, bound")
        self.assertFalse(any(wizard.line_ids.mapped("linked")))

    def test_choosing_profiles_syncs_their_inbox_only(self):
        wizard = self.open_wizard()
        self.line(wizard, "ACME Portugal").selected = True

        wizard.action_link()
        self.run_jobs()

        synced = self.backend.profile_ids.filtered("sync_messages")
        self.assertEqual(synced.mapped("name"), ["ACME Portugal"])
        messages = self.messages()
        self.assertEqual(len(messages), 3)
        self.assertEqual(set(messages.mapped("profile_id.name")), {"ACME Portugal"})

    def test_a_synced_profile_is_marked_linked_and_not_chosen_twice(self):
        self.sync_metadata()
        self.tick("ACME")

        wizard = self.open_wizard()

        self.assertTrue(self.line(wizard, "ACME").linked)
        self.line(wizard, "ACME").selected = True
        with self.assertRaises(UserError):
            wizard.action_link()

    def test_stop_syncing_leaves_the_messages(self):
        wizard = self.open_wizard()
        self.line(wizard, "ACME Portugal").selected = True
        wizard.action_link()
        self.run_jobs()
        profile = self.backend.profile_ids.filtered("sync_messages")

        profile.action_stop_sync()

        self.assertFalse(self.backend._connector_poll_containers())
        self.assertEqual(len(self.messages()), 3)
