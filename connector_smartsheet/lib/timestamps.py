from odoo.addons.connector_base.lib.dates import parse_iso_datetime, to_naive_utc


def parse_timestamp(text):
    """Smartsheet's ISO time as Odoo stores it (naive UTC), or None."""
    if not text:
        return None
    return to_naive_utc(parse_iso_datetime(str(text)))
