from odoo.models import MetaModel
from odoo.tests import TransactionCase, tagged

SUITE_PREFIXES = ("connector_", "test_connector_")


@tagged("post_install", "-at_install")
class TestFieldSetup(TransactionCase):
    """Odoo sets every field up from its definitions each time it starts: none of the suite's
    must log a warning there (a selection redeclared instead of extended, say)."""

    def test_every_field_the_suite_extends_sets_up_without_a_warning(self):
        checked = 0
        with self.assertNoLogs("odoo.fields", level="WARNING"):
            for cls in self.registry.models.values():
                for name, definitions in self._field_definitions(cls).items():
                    if len(definitions) < 2 or not any(
                        (field._module or "").startswith(SUITE_PREFIXES) for field in definitions
                    ):
                        continue
                    # What Model._setup_base does for a field defined more than once.
                    field = type(definitions[-1])(_base_fields=tuple(definitions))
                    field._toplevel = True
                    field.__set_name__(cls, name)
                    checked += 1
        self.assertTrue(checked, "the suite extends fields of its own and Odoo's models")

    @staticmethod
    def _field_definitions(model_class):
        definitions = {}
        for klass in reversed(model_class._model_classes__):
            if isinstance(klass, MetaModel):
                for field in klass._field_definitions:
                    definitions.setdefault(field.name, []).append(field)
        return definitions
