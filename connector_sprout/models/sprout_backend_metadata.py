from contextlib import contextmanager

from odoo import api, models

from odoo.addons.connector_base.lib.sync import FROM_CONNECTOR, summed_results

from ..lib import mapper

GROUP, PROFILE, TAG, USER = "group", "profile", "tag", "user"


class SproutBackendMetadata(models.Model):
    """The customer's groups, profiles, tags and users, read again on every Sync now and
    every hour: new ones come in, changed ones are updated, vanished ones archived."""

    _inherit = "sprout.backend"  # pylint: disable=consider-merging-classes-inherited

    @contextmanager
    def _sprout_session(self):
        """A client for a job, closed after use; the customer id it read is kept."""
        client = self._sprout_client()
        try:
            yield client
        finally:
            client.close()
        if client.customer_id and client.customer_id != self.customer_id:
            self.customer_id = client.customer_id

    def _sprout_enqueue_metadata(self):
        self.ensure_one()
        return self._connector_enqueue(
            "_job_sync_metadata",
            name=self.env._(
                "Read the profiles, groups, tags and users of %(backend)s", backend=self.display_name
            ),
            object_type=PROFILE,
            identity_key="metadata",
        )

    @api.model
    def _cron_sync_metadata(self):
        backends = self.search([("active", "=", True), ("needs_reauthorization", "=", False)])
        for backend in backends.filtered(lambda backend: not backend.paused):
            backend._sprout_enqueue_metadata()

    def _job_sync_metadata(self, job):
        with self._sprout_session() as client:
            groups, profiles = client.groups(), client.profiles()
            tags, users = client.tags(), client.users()
        results = [
            self._sprout_sync_groups(groups),
            self._sprout_sync_profiles(profiles),
            self._sprout_sync_tags(tags),
            self._sprout_sync_users(users),
        ]
        return {
            **summed_results(results),
            "summary": self.env._(
                "%(profiles)s profile(s), %(groups)s group(s), %(tags)s tag(s), %(users)s user(s) read.",
                profiles=len(profiles),
                groups=len(groups),
                tags=len(tags),
                users=len(users),
            ),
        }

    def _sprout_upsert(self, model_name, external_type, items, archive_missing=True):
        """Upsert ``items`` (external id -> values) as ``model_name`` records of this backend;
        bound records no longer in Sprout are archived."""
        Model = self.env[model_name]
        result = Model._connector_upsert(
            self,
            external_type,
            [
                {"external_id": external_id, "values": {"backend_id": self.id, **values}}
                for external_id, values in items.items()
            ],
        )
        if archive_missing:
            Binding = self.env["connector.external.binding"]
            gone = set(Binding._external_ids(self, external_type)) - set(items)
            if gone:
                bindings = Binding._of_external_ids(self, external_type, list(gone))
                Model.browse(bindings.mapped("res_id")).filtered("active").with_context(
                    **{FROM_CONNECTOR: True}
                ).write({"active": False})
                # Its values, seen again one day, must write the record back (active again).
                bindings.content_hash = False
        return result.as_job_result()

    def _sprout_sync_groups(self, groups):
        items = {}
        for group in groups:
            values = mapper.group_values(group)
            items[values["group_id"]] = {**values, "active": True}
        return self._sprout_upsert("sprout.group", GROUP, items)

    def _sprout_sync_profiles(self, profiles):
        return self._sprout_upsert("sprout.profile", PROFILE, self._sprout_profile_items(profiles))

    def _sprout_profile_items(self, profiles):
        """{profile id: values} of Sprout's profiles, their groups resolved."""
        groups = (
            self.env["sprout.group"]
            .with_context(active_test=False)
            ._connector_find(
                self,
                GROUP,
                [group for profile in profiles for group in mapper.profile_values(profile)["group_ids"]],
            )
        )
        items = {}
        for profile in profiles:
            values = mapper.profile_values(profile)
            group_ids = sorted(groups[group].id for group in values.pop("group_ids") if group in groups)
            items[values["profile_id"]] = {**values, "group_ids": [(6, 0, group_ids)], "active": True}
        return items

    def _sprout_sync_tags(self, tags):
        items = {}
        for tag in tags:
            values = mapper.tag_values(tag)
            items[values["tag_id"]] = values
        return self._sprout_upsert("sprout.tag", TAG, items)

    def _sprout_sync_users(self, users):
        items = {}
        for user in users:
            values = mapper.user_values(user)
            items[values["user_id"]] = values
        return self._sprout_upsert("sprout.user", USER, items, archive_missing=False)
