"""ORM-free parts of the Sprout Social connector: the API client, the filter grammar
(``filters``) and the mapper.

Nothing here imports the ORM: it is unit-tested with plain pytest.
"""
