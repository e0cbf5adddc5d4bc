"""The clues a Sprout message carries about its author: emails, phones, a name."""

from difflib import SequenceMatcher

from odoo.addons.connector_sprout.lib.matching import (
    NameIndex,
    best_name_match,
    emails_in,
    name_similarity,
    name_words,
    normalized_name,
    phone_key,
    phone_keys_in,
    phones_in,
)


def test_emails_are_found_lower_cased_once_each():
    text = "Write me at Joana@Example.com. Or joana@example.com, or j.l+shop@mail.example.pt!"
    assert emails_in(text) == ["joana@example.com", "j.l+shop@mail.example.pt"]
    assert emails_in("no address @ here") == []
    assert emails_in(None) == []


def test_phone_numbers_are_keyed_on_their_national_digits():
    assert phone_key("+351 912 345 678") == phone_key("912345678") == "912345678"
    assert phone_key("(+351) 912-345-678") == "912345678"
    assert phone_key("12345") is None
    assert phone_keys_in("Call +351 912 345 678 or 912345678, order 2024 at 10.30") == ["912345678"]
    assert phone_keys_in("write 123456789@example.com") == []


def test_phone_numbers_are_found_as_written():
    assert phones_in("Call +351 912 345 678 or 912345678, order 2024 at 10.30") == [
        "+351 912 345 678",
        "912345678",
    ]
    assert phones_in("write 123456789@example.com") == []


def test_names_compare_without_case_accents_or_word_order():
    assert name_similarity("João Silva", "joao silva") == 1.0
    assert name_similarity("Silva, João", "João Silva") == 1.0
    assert 0.8 < name_similarity("Miguel Santos", "Miguel Santo") < 1.0
    assert name_similarity("Rita", "Bruno Costa") < 0.5
    assert name_similarity("", "Rita") == 0.0


def test_a_name_surely_below_the_threshold_is_not_compared_further():
    assert name_similarity("Rita", "Bruno Costa", at_least=0.85) == 0.0
    assert name_similarity("Miguel Santos", "Miguel Santo", at_least=0.85) == name_similarity(
        "Miguel Santos", "Miguel Santo"
    )


def test_the_best_name_at_or_above_the_threshold_wins():
    candidates = {1: "Miguel Santo", 2: "Miguel Santos", 3: "Marta Sousa"}
    assert best_name_match("Miguel Santos", candidates, 0.85) == (2, 1.0)
    key, score = best_name_match("Miguel Santoz", {1: "Miguel Santos"}, 0.85)
    assert key == 1 and 0.85 <= score < 1.0
    assert best_name_match("Miguel Santoz", {1: "Miguel Santos"}, 0.99) is None
    assert name_words("Dr. Ana Lu") == ["ana"]


def test_one_index_compares_many_names_with_the_scores_of_fresh_comparisons():
    names = ["Miguel Santos", "Santos Miguel", "Ana Silva", "Rita", "Joana Lopes", "Marta Sousa"]
    contacts = ["Miguel Santo", "Ana Sílva", "Rita Pinto", "Joana Lopez", "Sousa, Marta", "Bruno"]
    index = NameIndex()

    for name in names:
        for contact in contacts:
            left, right = normalized_name(name), normalized_name(contact)
            fresh = max(
                SequenceMatcher(None, left, right).ratio(),
                SequenceMatcher(
                    None, " ".join(sorted(left.split())), " ".join(sorted(right.split()))
                ).ratio(),
            )
            assert index.similarity(name, contact) == fresh, (name, contact)
    assert index.best_match("Joana Lopes", dict(enumerate(contacts)), 0.85) == best_name_match(
        "Joana Lopes", dict(enumerate(contacts)), 0.85
    )
