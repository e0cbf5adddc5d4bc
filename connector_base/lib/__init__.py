"""ORM-free building blocks of the connector suite.

Nothing in this package imports ``odoo``: it is unit-tested with plain pytest.
"""
