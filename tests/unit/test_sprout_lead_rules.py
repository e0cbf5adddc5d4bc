"""Which Sprout messages become leads: keywords, patterns, languages, post types, profiles."""

import re

import pytest

from odoo.addons.connector_sprout.lib.lead_rules import (
    compile_pattern,
    conversation_key,
    first_rule,
    lead_rule,
    says_any,
    split_words,
)


def message(text, language="en", post_type="INSTAGRAM_GRAPH_COMMENT", profile=4921):
    return {"text": text, "language": language, "post_type": post_type, "profile": profile}


def test_list_fields_are_split_on_commas_and_lines_once_each():
    assert split_words(" price, quote\nprice ,,\n") == ["price", "quote"]
    assert split_words(False) == []


def test_keywords_match_whole_words_without_case_or_accents():
    assert says_any("Qual é o PREÇO?", ["preco"]) == "preco"
    assert says_any("How much is the price list", ["price list"]) == "price list"
    assert says_any("Priceless service", ["price"]) is None
    assert says_any(None, ["price"]) is None


def test_a_rule_needs_its_language_post_type_and_profile():
    rule = lead_rule(
        1, keywords="price", languages="EN, pt", post_types="instagram_direct_message", profiles={4921}
    )

    assert rule.applies_to(message("The price?", post_type="INSTAGRAM_DIRECT_MESSAGE"))
    assert not rule.applies_to(message("The price?"))  # a comment, not a direct message
    assert not rule.applies_to(message("The price?", language="fr", post_type="INSTAGRAM_DIRECT_MESSAGE"))
    assert not rule.applies_to(message("The price?", post_type="INSTAGRAM_DIRECT_MESSAGE", profile=5921))
    assert not rule.applies_to(message("Nice photo", post_type="INSTAGRAM_DIRECT_MESSAGE"))


def test_a_pattern_matches_where_no_keyword_does():
    rule = lead_rule(1, keywords="price", pattern=r"\b\d+\s*(units|pcs)\b")

    assert rule.applies_to(message("I need 40 units by May"))
    assert rule.applies_to(message("price please"))
    assert not rule.applies_to(message("I need a hug"))


def test_a_rule_without_words_takes_every_message_of_its_kind():
    rule = lead_rule(1, post_types="TWITTER_DIRECT_MESSAGE")

    assert rule.applies_to(message("hi", post_type="TWITTER_DIRECT_MESSAGE"))
    assert not rule.applies_to(message("hi", post_type="TWEET"))


def test_the_first_rule_met_wins_and_says_whether_it_is_urgent():
    portuguese = lead_rule("pt", keywords="preço", languages="pt", urgent_keywords="urgente")
    anything = lead_rule("any", keywords="price, preço", urgent_keywords="asap, urgent")

    assert first_rule([portuguese, anything], message("Preço? É urgente", language="pt")).key == "pt"
    chosen = first_rule([portuguese, anything], message("Price asap please"))
    assert chosen.key == "any" and chosen.is_urgent(message("Price asap please"))
    assert not anything.is_urgent(message("Price when you can"))
    assert first_rule([portuguese, anything], message("Nice photo")) is None


def test_a_bad_pattern_says_what_is_wrong():
    with pytest.raises(re.error):
        compile_pattern("(unclosed")
    assert compile_pattern("  ") is None


def test_one_conversation_key_per_network_author_and_conversation():
    assert conversation_key("INSTAGRAM", "igpr:7", "profile:4921") == "instagram:igpr:7:profile:4921"
    assert conversation_key("INSTAGRAM", "igpr:7", "case:12") != conversation_key(
        "INSTAGRAM", "igpr:7", "case:13"
    )
