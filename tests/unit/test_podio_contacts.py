from odoo.addons.connector_podio.lib.contacts import company_candidates, match_key, partner_candidates


def test_an_email_is_looked_for_before_a_name_and_company():
    candidates = partner_candidates({"email": "Ana@Example.com", "name": "Ana", "company_name": "Acme"})

    assert [key for key, _domain in candidates] == ["email:ana@example.com", "name:ana|acme"]
    # Odoo's normalised email is lower case: an equality, no pattern.
    assert candidates[0][1] == [("email_normalized", "=", "ana@example.com")]


def test_a_name_without_company_matches_partners_without_one():
    [(key, domain)] = partner_candidates({"name": "Ana"})

    assert key == "name:ana|"
    assert domain == [("podio_match_key", "=", "ana|")]


def test_the_match_key_is_the_name_and_company_without_case_or_surrounding_spaces():
    assert match_key(" Ana Silva ", "Acme & Sons ") == "ana silva|acme & sons"
    assert match_key("Ana", False) == "ana|"
    assert match_key(" ", "Acme") is None


def test_nothing_to_match_on_gives_no_candidates():
    assert partner_candidates({"name": " "}) == []


def test_a_company_partner_is_found_by_its_name_without_case_and_literally():
    [(key, domain)] = company_candidates(" Acme_50% ")

    assert key == "company:acme_50%"
    assert domain == [("is_company", "=", True), ("name", "=ilike", r"Acme\_50\%")]


def test_a_name_with_a_company_matches_the_company_it_works_for_by_one_key():
    [_email, (_key, domain)] = partner_candidates(
        {"email": "a@x.example", "name": "Ana", "company_name": "Acme"}
    )

    assert domain == [("podio_match_key", "=", "ana|acme")]
