"""ORM-free parts of the Trello connector: the API client, the mapper, Markdown and the
card's constants and comparisons (``cards``).

Nothing here imports the ORM: it is unit-tested with plain pytest.
"""
