from odoo.addons.connector_trello.lib import cards


def test_every_exported_structure_field_has_an_authority():
    assert set(cards.STRUCTURE_EXPORTS.values()) <= set(cards.STRUCTURE_AUTHORITIES)


def test_dates_are_the_same_value_whatever_their_written_form():
    assert cards.same_card_value("due", "2025-03-15T17:00:00.000Z", "2025-03-15T17:00:00Z")
    assert not cards.same_card_value("due", "2025-03-15T17:00:00.000Z", "2025-03-16T17:00:00.000Z")


def test_a_cleared_date_differs_from_a_set_one():
    assert not cards.same_card_value("start", None, "2025-03-15T17:00:00.000Z")


def test_texts_compare_as_trello_stores_them():
    assert cards.same_card_value("name", "Install printer", "Install printer")
    assert not cards.same_card_value("name", "Install printer", "Install scanner")


def test_a_compact_action_keeps_what_a_job_needs_and_drops_the_display_data():
    action = {
        "id": "a1",
        "type": "updateCard",
        "date": "2025-03-15T17:00:00.000Z",
        "idMemberCreator": "m1",
        "data": {"card": {"id": "c1"}},
        "memberCreator": {"id": "m1"},
        "display": {"translationKey": "action_move_card_from_list_to_list"},
        "model": {"id": "b1"},
    }
    compact = cards.compact_action(action)
    assert compact == {
        key: action[key] for key in ("id", "type", "date", "idMemberCreator", "data", "memberCreator")
    }


def test_a_compact_action_leaves_out_what_the_action_lacks():
    assert cards.compact_action({"id": "a1", "type": "commentCard"}) == {"id": "a1", "type": "commentCard"}


def test_a_new_backend_maps_each_card_field_once():
    fields = [default["external_field"] for default in cards.CARD_MAPPING_DEFAULTS]
    assert len(fields) == len(set(fields))
