"""Fingerprints, comparable values and upsert results, without Odoo."""

from datetime import date

from odoo.addons.connector_base.lib.sync import (
    FROM_CONNECTOR,
    HeldRecords,
    UpsertResult,
    comparable,
    content_hash,
    project_tasks,
    summed_results,
)


def test_content_hash_ignores_key_order_and_tells_values_apart():
    assert content_hash({"a": 1, "b": [1, 2]}) == content_hash({"b": [1, 2], "a": 1})
    assert content_hash({"a": 1}) != content_hash({"a": 2})
    assert content_hash({"due": date(2025, 3, 4)}) == content_hash({"due": "2025-03-04"})


def test_comparable_orders_the_ids_of_a_many2many_set():
    assert comparable([[6, 0, [3, 1, 2]]]) == [[6, 0, [1, 2, 3]]]
    assert comparable([3, 1, 2]) == [3, 1, 2]  # a plain list keeps its order
    assert comparable(date(2025, 3, 4)) == "2025-03-04"


def test_upsert_result_reports_its_counts_as_a_job_result():
    result = UpsertResult(created=2, updated=1, skipped=4, record_ids={"c1": 7})
    assert result.as_job_result() == {"created": 2, "updated": 1, "skipped": 4}
    assert UpsertResult().record_ids == {}


def test_the_from_connector_key_keeps_the_name_other_code_passes():
    assert {FROM_CONNECTOR: True}["from_connector"] is True


def test_project_tasks_are_held_by_the_containers_of_their_project():
    holds = project_tasks("parent_id", "depend_on_ids")
    assert holds == HeldRecords(
        "project.task",
        record_field="project_id",
        container_field="project_id",
        structure_fields=frozenset({"parent_id", "depend_on_ids"}),
    )


def test_summed_results_add_the_counts_and_join_the_summaries():
    assert summed_results(
        [
            {"created": 2, "summary": "Two made."},
            {"updated": 1, "skipped": 3},
            {"skipped": 1, "summary": "One gone."},
        ]
    ) == {"created": 2, "updated": 1, "skipped": 4, "summary": "Two made. One gone."}
    assert summed_results([{"created": 1}]) == {"created": 1, "updated": 0, "skipped": 0}
    assert summed_results([]) == {"created": 0, "updated": 0, "skipped": 0}
