"""The mapping engine: batches, failures, warnings, directions, rule checks and lookups."""

import logging
from datetime import date, datetime

import pytest

from odoo.addons.connector_base.lib import errors, mapping
from odoo.addons.connector_base.lib.mapping import FieldRule, Mapper, MappingError, check_rule

STAGES = (("Todo", 11), ("Doing", 12), ("Done", 13))


class TableResolver:
    """Resolves from {odoo field: {key: id}}; records every question it is asked."""

    def __init__(self, tables=None, names=None):
        self.tables = tables or {}
        self.names = names or {}
        self.asked = []

    def resolve_keys(self, rule, keys):
        self.asked.append((rule.odoo_field, frozenset(keys)))
        table = self.tables.get(rule.odoo_field, {})
        return {key: table[key] for key in keys if key in table}

    def resolve_ids(self, rule, ids):
        self.asked.append((rule.odoo_field, frozenset(ids)))
        table = self.names.get(rule.odoo_field, {})
        return {record_id: table[record_id] for record_id in ids if record_id in table}


def card_mapper(**options):
    rules = [
        FieldRule(
            "name", "text", "title", label="Card: title -> Name", odoo_type="char", size=20, required=True
        ),
        FieldRule("hours", "float", "hours", odoo_type="float", digits=1),
        FieldRule("deadline", "date", "due", odoo_type="date", direction=mapping.IMPORT),
        FieldRule("stage_id", "many2one", "list", odoo_type="many2one", relation="stage", value_map=STAGES),
        FieldRule(
            "partner_id", "many2one", "owner", odoo_type="many2one", relation="res.partner", lookup_by="email"
        ),
        FieldRule("kind", "text", "", odoo_type="char", default="card", direction=mapping.IMPORT),
        FieldRule("priority", "integer", "rank", odoo_type="integer", direction=mapping.EXPORT),
    ]
    return Mapper(rules, external_type="card", odoo_model="project.task", **options)


def card(card_id, **values):
    return {"id": card_id, "title": f"Card {card_id}", "list": "Todo", **values}


def test_a_record_maps_to_odoo_values():
    resolver = TableResolver({"partner_id": {"ann@example.com": 7}})
    values, warnings = card_mapper().to_odoo(
        card("c1", hours="2.25", due="2024-03-01", owner="ann@example.com", rank=3), resolver
    )
    assert values == {
        "name": "Card c1",
        "hours": 2.3,
        "deadline": date(2024, 3, 1),
        "stage_id": 11,
        "partner_id": 7,
        "kind": "card",
    }
    assert warnings == []


def test_a_batch_keeps_mapping_after_a_bad_record():
    records = [card("c1"), card("c2", hours="two"), card("c3", due="someday"), card("c4")]
    batch = card_mapper().to_odoo_batch(records, TableResolver())
    assert [record["id"] for record, _values in batch.good] == ["c1", "c4"]
    assert [(record["id"], error.field, error.value) for record, error in batch.failed] == [
        ("c2", "hours", "two"),
        ("c3", "deadline", "someday"),
    ]


def test_a_failure_names_the_record_the_field_and_the_value():
    with pytest.raises(MappingError) as caught:
        card_mapper().to_odoo(card("c9", list="Archived"), TableResolver())
    error = caught.value
    assert (error.record_ref, error.field, error.external_field, error.value) == (
        "card c9",
        "stage_id",
        "list",
        "Archived",
    )
    assert str(error) == (
        "Cannot map card c9: field list -> stage_id, value 'Archived': "
        "no stage with name 'Archived' (creating missing ones is off)."
    )


def test_a_failure_is_a_permanent_validation_error():
    with pytest.raises(errors.ValidationError) as caught:
        card_mapper().to_odoo(card("c1", hours=[1]))
    assert not caught.value.retryable


def test_a_missing_required_value_fails_with_the_mapping_name():
    with pytest.raises(MappingError, match=r"card c1: field Card: title -> Name, value None: required"):
        card_mapper().to_odoo({"id": "c1", "list": "Todo"})


def test_long_values_in_errors_are_shortened():
    with pytest.raises(MappingError) as caught:
        card_mapper().to_odoo(card("c1", hours="x" * 500))
    assert caught.value.value == "x" * 500
    assert len(str(caught.value)) < 200


def test_records_are_named_by_their_id_field():
    mapper = card_mapper(id_field="rowId")
    batch = mapper.to_odoo_batch([{"rowId": 42, "list": "Todo"}, {"list": "Todo"}])
    assert [error.record_ref for _record, error in batch.failed] == ["card 42", "card without rowId"]


def test_a_record_that_is_no_dict_fails_alone():
    batch = card_mapper().to_odoo_batch([["not", "a", "dict"], card("c1")])
    assert len(batch.good) == 1
    assert batch.failed[0][1].reason == "not a dict of external values"


def test_warnings_name_the_record_and_are_logged(caplog):
    with caplog.at_level(logging.WARNING, logger=mapping.__name__):
        batch = card_mapper().to_odoo_batch([card("c1", title="A title that is far too long"), card("c2")])
    assert [str(warning) for warning in batch.warnings] == [
        "card c1, field name: text cut from 28 to 20 characters"
    ]
    assert batch.good[0][1]["name"] == "A title that is far "
    assert "card c1, field name: text cut from 28 to 20 characters" in caplog.text


def test_warnings_of_a_failed_record_are_dropped_with_it():
    batch = card_mapper().to_odoo_batch([card("c1", title="A title that is far too long", hours="x")])
    assert batch.warnings == []
    assert len(batch.failed) == 1


def test_lookups_are_resolved_once_per_batch_without_mapped_or_empty_keys():
    resolver = TableResolver({"partner_id": {"a@x.test": 1, "b@x.test": 2}})
    records = [
        card(f"c{index}", owner=owner) for index, owner in enumerate(["a@x.test", "b@x.test", "a@x.test", ""])
    ]
    batch = card_mapper().to_odoo_batch(records, resolver)
    assert [values["partner_id"] for _record, values in batch.good] == [1, 2, 1, False]
    assert resolver.asked == [("partner_id", frozenset({"a@x.test", "b@x.test"}))]


def test_a_batch_whose_values_are_all_mapped_needs_no_resolver():
    batch = card_mapper().to_odoo_batch([card("c1"), card("c2", list="Done")])
    assert [values["stage_id"] for _record, values in batch.good] == [11, 13]


def test_lookups_without_a_resolver_are_a_configuration_error():
    with pytest.raises(
        errors.ConfigurationError, match=r"owner -> partner_id: looking up res\.partner needs a resolver"
    ):
        card_mapper().to_odoo_batch([card("c1", owner="a@x.test")])


def test_one_mapper_serves_batches_independently():
    mapper = card_mapper()
    first = mapper.to_odoo_batch(
        [card("c1", owner="a@x.test")], TableResolver({"partner_id": {"a@x.test": 1}})
    )
    second = mapper.to_odoo_batch(
        [card("c1", owner="a@x.test")], TableResolver({"partner_id": {"a@x.test": 2}})
    )
    assert (first.good[0][1]["partner_id"], second.good[0][1]["partner_id"]) == (1, 2)


def test_directions_decide_which_fields_import_and_export():
    mapper = card_mapper()
    assert mapper.import_fields == ("name", "hours", "deadline", "stage_id", "partner_id", "kind")
    assert mapper.export_fields == ("name", "hours", "stage_id", "partner_id", "priority")
    assert "priority" not in mapper.to_odoo(card("c1", rank=3))[0]


def test_export_converts_the_fields_given():
    resolver = TableResolver(names={"partner_id": {7: "ann@example.com"}})
    odoo_values = {
        "id": 5,
        "name": 'Fix <the> "bug"',
        "hours": 1.25,
        "deadline": date(2024, 3, 1),
        "stage_id": 12,
        "partner_id": 7,
        "priority": 2,
    }
    assert card_mapper().to_external(odoo_values, resolver) == {
        "title": 'Fix <the> "bug"',
        "hours": 1.3,
        "list": "Doing",
        "owner": "ann@example.com",
        "rank": 2,
    }
    assert card_mapper().to_external({"id": 5, "hours": 0.0}) == {"hours": 0.0}


def test_export_resolves_the_ids_of_a_batch_together():
    resolver = TableResolver(names={"partner_id": {7: "a@x.test", 8: "b@x.test"}})
    rows = [{"id": 1, "partner_id": 7}, {"id": 2, "partner_id": 8}, {"id": 3, "partner_id": False}]
    externals = card_mapper().to_external_batch(rows, resolver)
    assert [external["owner"] for external in externals] == ["a@x.test", "b@x.test", None]
    assert resolver.asked == [("partner_id", frozenset({7, 8}))]


def test_export_failures_name_the_odoo_record():
    with pytest.raises(MappingError) as caught:
        card_mapper().to_external({"id": 5, "stage_id": 99}, TableResolver())
    assert (caught.value.record_ref, caught.value.field, caught.value.value) == (
        "project.task,5",
        "stage_id",
        99,
    )


def test_a_rule_without_source_always_gives_its_default():
    values, _warnings = card_mapper().to_odoo(card("c1", kind="ignored"))
    assert values["kind"] == "card"


def test_a_datetime_default_is_read_in_the_rule_time_zone():
    rule = FieldRule("start", "datetime", "start", default="2024-01-01T09:00:00", timezone="Europe/Paris")
    assert Mapper([rule]).to_odoo({"id": 1})[0] == {"start": datetime(2024, 1, 1, 8, 0)}


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (FieldRule("name", "upper", "title"), "title -> name: unknown converter 'upper'"),
        (FieldRule("name", "text", "title", direction="sideways"), "unknown direction 'sideways'"),
        (
            FieldRule("deadline", "integer", "due", odoo_type="date", label="Card: due -> Deadline"),
            "Card: due -> Deadline: the integer converter cannot fill a date field (it fills integer)",
        ),
        (
            FieldRule("name", "text", "", direction="import"),
            "an imported field needs an external field or a default",
        ),
        (FieldRule("name", "text", "", direction="export"), "an exported field needs an external field"),
        (FieldRule("count", "integer", "n", default="many"), "the default 'many' is not an integer"),
        (FieldRule("x", "many2one", "x", lookup_by="phone"), "unknown lookup 'phone'"),
        (
            FieldRule("x", "many2one", "x", lookup_by="email", create_missing=True),
            "only a lookup by name can create missing records",
        ),
        (FieldRule("day", "date", "d", timezone="Nowhere"), "unknown time zone 'Nowhere'"),
    ],
)
def test_rules_that_cannot_work_are_refused_naming_the_rule(rule, message):
    with pytest.raises(errors.ConfigurationError) as caught:
        check_rule(rule)
    assert message in str(caught.value)
    with pytest.raises(errors.ConfigurationError):
        Mapper([rule])


def test_a_valid_rule_passes_the_check():
    check_rule(
        FieldRule("start", "datetime", "start", odoo_type="datetime", default="2024-01-01", timezone="UTC")
    )


def test_unmatched_keys_are_left_out_and_noted_when_the_rule_says_empty():
    rules = [
        FieldRule("name", "text", "title", odoo_type="char"),
        FieldRule(
            "user_ids", "many2many", "people", odoo_type="many2many", relation="res.users", unmatched="empty"
        ),
        FieldRule(
            "partner_id", "many2one", "owner", odoo_type="many2one", relation="res.partner", unmatched="empty"
        ),
    ]
    resolver = TableResolver({"user_ids": {"a@x.test": 1}})

    batch = Mapper(rules, external_type="row").to_odoo_batch(
        [{"id": 1, "title": "T", "people": ["a@x.test", "ghost@x.test"], "owner": "nobody"}], resolver
    )

    assert batch.failed == []
    assert batch.good[0][1] == {"name": "T", "user_ids": [(6, 0, [1])], "partner_id": False}
    assert {(warning.field, warning.value) for warning in batch.warnings} == {
        ("user_ids", "ghost@x.test"),
        ("partner_id", "nobody"),
    }


def test_unmatched_keys_refuse_the_record_by_default():
    rule = FieldRule("user_ids", "many2many", "people", odoo_type="many2many", relation="res.users")

    batch = Mapper([rule], external_type="row").to_odoo_batch(
        [{"id": 1, "people": ["ghost@x.test"]}], TableResolver()
    )

    assert [error.value for _record, error in batch.failed] == [["ghost@x.test"]]
