from odoo.exceptions import AccessError
from odoo.tests import new_test_user

from odoo.addons.connector_base.tests.common import ConnectorCase


class TestSecurity(ConnectorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(
            cls.env, login="connector_user", groups="connector_base.group_connector_user"
        )
        cls.manager = new_test_user(
            cls.env, login="connector_manager", groups="connector_base.group_connector_manager"
        )
        cls.plain_user = new_test_user(cls.env, login="plain_user", groups="base.group_user")
        cls.job = cls.backend._connector_enqueue("_job_noop")
        cls.backend.api_token = "tok-security"

    def test_connector_users_see_jobs_but_cannot_change_them(self):
        jobs = self.Job.with_user(self.user).search([("id", "=", self.job.id)])
        self.assertEqual(jobs, self.job)
        with self.assertRaises(AccessError):
            jobs.write({"priority": 1})
        with self.assertRaises(AccessError):
            jobs.unlink()

    def test_connector_users_cannot_read_secrets_or_credentials(self):
        with self.assertRaises(AccessError):
            self.backend.with_user(self.user).read(["api_token"])
        with self.assertRaises(AccessError):
            self.env["connector.credential"].with_user(self.user).search([])
        with self.assertRaises(AccessError):
            self.backend.with_user(self.user).write({"api_token": "stolen"})

    def test_managers_set_secrets_and_see_only_the_mask(self):
        backend = self.backend.with_user(self.manager)
        backend.api_token = "tok-manager"
        backend.invalidate_recordset()
        self.assertEqual(backend.read(["api_token"])[0]["api_token"], "••••••••")

    def test_employees_without_connector_groups_see_no_jobs(self):
        with self.assertRaises(AccessError):
            self.Job.with_user(self.plain_user).search([])

    def test_jobs_of_another_company_are_hidden(self):
        other_company = self.env["res.company"].create({"name": "Other company"})
        backend = self.env["test.connector.backend"].create({"name": "Other", "company_id": other_company.id})
        hidden = backend._connector_enqueue("_job_noop")
        visible = self.Job.with_user(self.user).search([("id", "in", [hidden.id, self.job.id])])
        self.assertEqual(visible, self.job)

    def test_every_connector_model_has_access_rules(self):
        models = self.env["ir.model"].search([("model", "=like", "connector.%"), ("transient", "=", False)])
        self.assertTrue(models)
        for model in models:
            if self.env[model.model]._abstract:
                continue
            with self.subTest(model=model.model):
                self.assertTrue(model.access_ids, f"{model.model} has no access rule")
