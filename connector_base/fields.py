"""Field types of the connector suite."""

from odoo import fields
from odoo.tools.misc import SENTINEL

MANAGER_GROUP = "connector_base.group_connector_manager"


class Secret(fields.Char):
    """A secret of a backend (a token, a key, a password), in one declaration::

        api_token = Secret(string="API token")

    on a model inheriting ``connector.backend.mixin``. What it gets:

    - never stored on the backend: the value is encrypted into ``connector.credential``
      (ciphertext at rest); code reads it with ``backend._connector_secret(name)``;
    - readable and writable by ``groups`` only (connector managers unless told otherwise),
      and even they read a mask when it is set and nothing when it is not;
    - searching, grouping, sorting, aggregating or exporting it answers an AccessError;
    - saving it on a backend that needs re-authorization checks the new credential.
    """

    def __init__(self, string=SENTINEL, **kwargs):
        # A field rebuilt from its definitions (``_base_fields``) inherits their attributes.
        if "_base_fields" not in kwargs:
            kwargs = {
                "groups": MANAGER_GROUP,
                **kwargs,
                "compute": "_compute_connector_secrets",
                "inverse": "_inverse_connector_secrets",
                "copy": False,
            }
        super().__init__(string, **kwargs)
