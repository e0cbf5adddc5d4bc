from .common import SproutCase


class TestProfiles(SproutCase):
    def test_sync_now_discovers_profiles_groups_tags_and_users(self):
        self.backend.action_sync_now()
        self.run_jobs()

        profiles = {profile.name: profile for profile in self.backend.profile_ids}
        self.assertEqual(set(profiles), {"ACME", "ACME Lisboa", "ACME Portugal"})
        acme = profiles["ACME"]
        self.assertEqual(
            (acme.network, acme.handle, acme.native_id, acme.profile_id),
            ("instagram", "acme.pt", "17841400000000001", "4921"),
        )
        self.assertEqual(set(acme.group_ids.mapped("name")), {"ACME Shops", "ACME Brand"})
        self.assertFalse(profiles["ACME Lisboa"].handle)
        self.assertFalse(any(self.backend.profile_ids.mapped("sync_messages")), "a person chooses")
        tags = self.env["sprout.tag"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(
            {(tag.name, tag.tag_type) for tag in tags}, {("Question", "label"), ("Spring sale", "campaign")}
        )
        users = self.env["sprout.user"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(set(users.mapped("email")), {"ana@acme.example", "bruno@acme.example"})
        self.assertEqual(self.backend.customer_id, "687751")

    def test_profiles_are_kept_current_and_a_vanished_one_is_archived(self):
        self.sync_metadata()
        self.tick("ACME")
        self.sprout.profile(4921)["name"] = "ACME Portugal Store"
        self.sprout.profiles = [p for p in self.sprout.profiles if p["name"] != "ACME Lisboa"]

        self.sync_metadata()

        profiles = (
            self.env["sprout.profile"]
            .with_context(active_test=False)
            .search([("backend_id", "=", self.backend.id)])
        )
        self.assertEqual(len(profiles), 3)
        acme = profiles.filtered(lambda profile: profile.profile_id == "4921")
        self.assertEqual(acme.name, "ACME Portugal Store")
        self.assertTrue(acme.sync_messages, "the person's choice stays")
        self.assertFalse(profiles.filtered(lambda profile: profile.name == "ACME Lisboa").active)

    def test_a_profile_back_in_sprout_is_active_again(self):
        self.sync_metadata()
        lisboa = self.sprout.profile(5921)
        self.sprout.profiles.remove(lisboa)
        self.sync_metadata()
        self.sprout.profiles.append(lisboa)

        self.sync_metadata()

        self.assertIn("ACME Lisboa", self.backend.profile_ids.mapped("name"))

    def test_ids_sent_as_strings_are_the_same_records(self):
        self.sync_metadata()
        self.sprout.string_ids = True

        self.sync_metadata()

        self.assertEqual(len(self.backend.with_context(active_test=False).profile_ids), 3)
        self.assertEqual(len(self.backend.with_context(active_test=False).group_ids), 2)
        self.assertTrue(all(self.backend.profile_ids.mapped("active")))
        self.assertEqual(self.env["sprout.tag"].search_count([("backend_id", "=", self.backend.id)]), 2)
