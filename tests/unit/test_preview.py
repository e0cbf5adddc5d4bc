from odoo.addons.connector_base.lib import mapping
from odoo.addons.connector_base.lib.preview import CREATE, FAIL, LOSS, UPDATE, ImportPreview


def rule(field, **options):
    return mapping.FieldRule(odoo_field=field, external_field=field, **options)


def test_rows_are_counted_as_created_or_updated_and_only_the_first_ones_are_kept():
    preview = ImportPreview("project.task", sample_size=2)

    for index in range(5):
        preview.add(f"row {index}", {"name": f"Task {index}"}, existing=index == 0)

    assert preview.counts == {CREATE: 4, UPDATE: 1, FAIL: 0}
    assert [(row.kind, row.ref, row.values) for row in preview.rows] == [
        (UPDATE, "row 0", {"name": "Task 0"}),
        (CREATE, "row 1", {"name": "Task 1"}),
    ]


def test_a_mapping_failure_and_a_lost_value_are_kept_with_their_reason():
    mapper = mapping.Mapper(
        [rule("name", converter="text", size=5), rule("date_deadline", converter="date")],
        external_type="row",
    )
    batch = mapper.to_odoo_batch(
        [
            {"id": 1, "name": "A long title", "date_deadline": "2024-03-01"},
            {"id": 2, "name": "B", "date_deadline": "soon"},
        ]
    )
    preview = ImportPreview()

    for record, values in batch.good:
        preview.add(f"row {record['id']}", values, existing=False)
    for record, error in batch.failed:
        preview.fail_mapping(f"row {record['id']}", error)
    preview.lose_warnings(batch.warnings, refs={"row 1": "row 1 (Website)"})

    assert preview.counts == {CREATE: 1, UPDATE: 0, FAIL: 1}
    [failure, loss] = sorted(preview.problems, key=lambda problem: problem.kind)
    assert (failure.kind, failure.ref, failure.field, failure.value) == (
        FAIL,
        "row 2",
        "date_deadline",
        "soon",
    )
    assert "date" in failure.reason
    assert (loss.kind, loss.ref, loss.field) == (LOSS, "row 1 (Website)", "name")
    assert loss.reason == "text cut from 12 to 5 characters"
    assert preview.summary() == "1 to create, 0 to update, 1 failing, 1 value(s) lost, 0 API call(s)"
