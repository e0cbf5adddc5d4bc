from odoo.addons.connector_podio.lib.contacts import company_candidates, partner_candidates


def test_an_email_is_looked_for_before_a_name_and_company():
    candidates = partner_candidates({"email": "Ana@Example.com", "name": "Ana", "company_name": "Acme"})

    assert [key for key, _domain in candidates] == ["email:ana@example.com", "name:ana|acme"]
    assert candidates[0][1] == [("email", "=ilike", "Ana@Example.com")]


def test_a_name_without_company_matches_partners_without_one():
    [(key, domain)] = partner_candidates({"name": "Ana"})

    assert key == "name:ana|"
    assert ("parent_id", "=", False) in domain


def test_like_wildcards_in_values_are_matched_literally():
    [(_key, domain)] = partner_candidates({"email": "a_b%c@example.com"})

    assert domain == [("email", "=ilike", r"a\_b\%c@example.com")]


def test_nothing_to_match_on_gives_no_candidates():
    assert partner_candidates({"name": " "}) == []


def test_a_company_partner_is_found_by_its_name_without_case_and_literally():
    [(key, domain)] = company_candidates(" Acme_50% ")

    assert key == "company:acme_50%"
    assert domain == [("is_company", "=", True), ("name", "=ilike", r"Acme\_50\%")]


def test_a_name_with_a_company_matches_the_company_it_works_for_without_a_join():
    [_email, (_key, domain)] = partner_candidates(
        {"email": "a@x.example", "name": "Ana", "company_name": "Acme"}
    )

    assert domain == [("name", "=ilike", "Ana"), ("commercial_company_name", "=ilike", "Acme")]
