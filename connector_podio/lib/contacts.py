"""What a Podio contacts app is to the connector, apart from the ORM: the external type of
its bindings, the mappings a linked contacts app starts with, and how an item's partner is
recognised before one is created."""

ITEM = "item"
# The flat record keys (lib.mapper.item_record) of the sample contacts app's fields; a person
# edits the mappings under Configuration > Field mappings.
CONTACT_MAPPING_DEFAULTS = [
    {
        "odoo_field": "name",
        "external_field": "title",
        "external_label": "Name",
        "converter": "text",
        "required": True,
        "direction": "both",
        "sequence": 1,
    },
    {
        "odoo_field": "company_name",
        "external_field": "company",
        "external_label": "Company",
        "converter": "text",
        "direction": "both",
        "sequence": 2,
    },
    {
        "odoo_field": "email",
        "external_field": "email",
        "external_label": "Email (first)",
        "converter": "text",
        "direction": "both",
        "sequence": 3,
    },
    {
        "odoo_field": "phone",
        "external_field": "phone:landline",
        "external_label": "Phone (first that is not a mobile or a fax)",
        "converter": "text",
        "direction": "both",
        "sequence": 4,
    },
    {
        "odoo_field": "mobile",
        "external_field": "phone:mobile",
        "external_label": "Phone (first mobile)",
        "converter": "text",
        "direction": "both",
        "sequence": 5,
    },
    {
        "odoo_field": "street",
        "external_field": "address:street",
        "external_label": "Address: street",
        "converter": "text",
        "direction": "both",
        "sequence": 6,
    },
    {
        "odoo_field": "zip",
        "external_field": "address:zip",
        "external_label": "Address: postal code",
        "converter": "text",
        "direction": "both",
        "sequence": 7,
    },
    {
        "odoo_field": "city",
        "external_field": "address:city",
        "external_label": "Address: city",
        "converter": "text",
        "direction": "both",
        "sequence": 8,
    },
]


def _like(text):
    """``text`` matched literally by ``=ilike``."""
    return text.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")


def match_key(name, company):
    """What a partner is recognised by besides its email: its name and the name of the company
    it works for, without case or surrounding spaces (``res.partner.podio_match_key``, stored
    and indexed); None without a name."""
    name = (name or "").strip().lower()
    return f"{name}|{(company or '').strip().lower()}" if name else None


def partner_candidates(values):
    """``(key, domain)`` pairs finding the partner an item stands for, most telling first:
    the same email, then the same name and company (both compared without case). Each
    domain is one equality on a stored, indexed column (the partner's normalised email, its
    match key), so a page of items is matched in one hashed lookup per column."""
    candidates = []
    email = (values.get("email") or "").strip().lower()
    if email:
        candidates.append((f"email:{email}", [("email_normalized", "=", email)]))
    key = match_key(values.get("name"), values.get("company_name"))
    if key:
        candidates.append((f"name:{key}", [("podio_match_key", "=", key)]))
    return candidates


def company_candidates(name):
    """The ``(key, domain)`` finding a contact's company partner: a company of that name
    (compared without case)."""
    return [
        (
            f"company:{name.strip().lower()}",
            [("is_company", "=", True), ("name", "=ilike", _like(name.strip()))],
        )
    ]
