from collections import defaultdict

from odoo import api, models
from odoo.exceptions import ValidationError
from odoo.osv import expression

from ..lib import converters
from ..lib.errors import ConfigurationError
from ..lib.mapping import check_rule
from .connector_field_mapping import lookup_field_name

VALUE_MAPPED_CONVERTERS = ("selection", "many2one", "many2many")


class ConnectorFieldMappingChecks(models.Model):
    """Constraints of a field mapping: the Odoo field, the lookup, the value mappings and duplicates."""

    # One concern per file: several files of this addon extend this model.
    _inherit = "connector.field.mapping"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ checks
    @api.constrains(
        "model_id",
        "field_id",
        "converter",
        "direction",
        "external_field",
        "default_value",
        "required",
        "lookup_by",
        "create_missing",
        "timezone",
        "digits",
    )
    def _check_mapping(self):
        for mapping in self:
            mapping._check_odoo_field()
            try:
                check_rule(mapping._field_rule())
            except ConfigurationError as error:
                raise ValidationError(str(error)) from None
            mapping._check_lookup()
        self._check_value_mappings()

    def _check_odoo_field(self):
        field = self.field_id
        model = self.env.get(self.odoo_model)
        if field.model_id != self.model_id or model is None or field.name not in model._fields:
            raise ValidationError(
                self.env._(
                    "Field mapping %(mapping)s: the field %(field)s does not exist on %(model)s.",
                    mapping=self.display_name,
                    field=field.name,
                    model=self.odoo_model,
                )
            )
        odoo_field = model._fields[field.name]
        if (
            self.direction != "export"
            and odoo_field.compute
            and not odoo_field.inverse
            and odoo_field.readonly
        ):
            raise ValidationError(
                self.env._(
                    "Field mapping %(mapping)s: the field %(field)s is computed and cannot be imported.",
                    mapping=self.display_name,
                    field=field.name,
                )
            )
        if (
            self.direction != "export"
            and field.required
            and not self.external_field
            and not self.default_value
        ):
            raise ValidationError(
                self.env._(
                    "Field mapping %(mapping)s: the field %(field)s is required in Odoo; without an external "
                    "field it needs a default.",
                    mapping=self.display_name,
                    field=field.name,
                )
            )

    def _check_lookup(self):
        if self.converter not in converters.LOOKUP_CONVERTERS or self.lookup_by == "binding":
            return
        target = self.env[self.field_id.relation]
        lookup_field = lookup_field_name(target, self.lookup_by)
        field = target._fields.get(lookup_field)
        # A field inherited through _inherits (a user's email, a product's name) is stored on the parent.
        if field is None or not (field.store or (field.inherited and field.inherited_field.store)):
            raise ValidationError(
                self.env._(
                    "Field mapping %(mapping)s: %(model)s has no stored field to find records by %(lookup)s.",
                    mapping=self.display_name,
                    model=target._name,
                    lookup=self.lookup_by,
                )
            )

    def _check_value_mappings(self):
        lines = self.value_mapping_ids
        existing = set()
        for model_name in set(lines.mapped("odoo_record_model")) - {False}:
            ids = [line.odoo_record_id for line in lines if line.odoo_record_model == model_name]
            existing.update(
                (model_name, record_id) for record_id in self.env[model_name].browse(ids).exists().ids
            )
        for mapping in self.filtered("value_mapping_ids"):
            options = None
            if mapping.converter == "selection":
                field = self.env[mapping.odoo_model]._fields[mapping.odoo_field]
                options = [key for key, _label in field._description_selection(self.env)]
            for line in mapping.value_mapping_ids:
                problem = mapping._value_mapping_problem(line, options, existing)
                if problem:
                    raise ValidationError(
                        self.env._(
                            "Field mapping %(mapping)s, value %(value)s: %(problem)s",
                            mapping=mapping.display_name,
                            value=line.external_value,
                            problem=problem,
                        )
                    )

    def _value_mapping_problem(self, line, options, existing):
        if self.converter not in VALUE_MAPPED_CONVERTERS:
            return self.env._("only selections, linked records and tags take value mappings.")
        if self.converter == "selection":
            if line.odoo_value not in options:
                return self.env._(
                    "%(option)s is not an option of %(field)s (options: %(options)s).",
                    option=line.odoo_value or self.env._("nothing"),
                    field=self.odoo_field,
                    options=", ".join(options),
                )
        elif (line.odoo_record_model, line.odoo_record_id) not in existing:
            return self.env._("choose the %(model)s record it stands for.", model=self.field_id.relation)
        return None

    @api.constrains(
        "backend_model", "backend_id", "external_type", "model_id", "field_id", "direction", "active"
    )
    def _check_duplicates(self):
        """One import mapping per Odoo field, one export mapping per platform field."""
        scopes = {mapping._scope() for mapping in self if mapping.active}
        if not scopes:
            return
        siblings = self.search(
            expression.OR(
                [
                    [
                        ("backend_model", "=", backend_model),
                        ("backend_id", "=", backend_id),
                        ("external_type", "=", external_type),
                        ("odoo_model", "=", odoo_model),
                    ]
                    for backend_model, backend_id, external_type, odoo_model in scopes
                ]
            )
        )
        imports, exports = defaultdict(list), defaultdict(list)
        for mapping in siblings:
            if mapping.direction != "export":
                imports[mapping._scope(), mapping.odoo_field].append(mapping.display_name)
            if mapping.direction != "import" and mapping.external_field:
                exports[mapping._scope(), mapping.external_field].append(mapping.display_name)
        for (_scope, field_name), names in imports.items():
            if len(names) > 1:
                raise ValidationError(
                    self.env._(
                        "Field mappings %(mappings)s import into the same Odoo field %(field)s.",
                        mappings=", ".join(names),
                        field=field_name,
                    )
                )
        for (_scope, field_name), names in exports.items():
            if len(names) > 1:
                raise ValidationError(
                    self.env._(
                        "Field mappings %(mappings)s export to the same platform field %(field)s.",
                        mappings=", ".join(names),
                        field=field_name,
                    )
                )
