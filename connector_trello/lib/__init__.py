"""ORM-free parts of the Trello connector: the API client and the mapper.

Nothing here imports the ORM: it is unit-tested with plain pytest.
"""
