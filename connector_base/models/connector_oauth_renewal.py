import time

import psycopg2

from odoo import models

from ..lib import oauth
from ..lib.errors import AuthenticationError
from .connector_oauth_mixin import _SAVED_HERE, _TOKEN_FIELDS, _to_datetime

# Refreshes racing each other: the loser retries on a fresh snapshot and adopts the winner's tokens.
_RENEW_ATTEMPTS = 3


_REFRESH_JOB_KEY = "oauth_token_refresh"


class ConnectorOAuthRenewal(models.AbstractModel):
    """Renewing OAuth tokens: once across workers, marking refused grants, and the refresh job."""

    # One concern per file: several files of this addon extend this model.
    _inherit = "connector.oauth.mixin"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ refreshing
    def _oauth_renew(self, used_access_token):
        """A new access token, obtained and committed in a transaction of its own.

        ``used_access_token`` is the one the caller holds: when another worker
        has already replaced it, its replacement is adopted instead of
        refreshing again (a rotated refresh token works once).
        """
        self.ensure_one()
        if (self._name, self.id) in self.env.cr.precommit.data.get(_SAVED_HERE, ()):
            # This transaction saved the tokens, so it holds locks on their rows: a
            # transaction of its own would wait for them forever. Both stand or fall together.
            try:
                return self._oauth_renew_locked(used_access_token)
            except AuthenticationError as error:
                self._oauth_mark_refused(error)
                raise
        # Test mode shares one connection between both cursors: let the other see our writes.
        self.env.flush_all()
        for attempt in range(1, _RENEW_ATTEMPTS + 1):
            refused = None
            try:
                with self.env.registry.cursor() as cr:
                    backend = self.with_env(self.env(cr=cr))
                    try:
                        tokens = backend._oauth_renew_locked(used_access_token)
                    except AuthenticationError as error:
                        backend._oauth_mark_refused(error)
                        refused = error
                break
            except psycopg2.errors.SerializationFailure:
                if attempt == _RENEW_ATTEMPTS:
                    raise
        self.env["connector.oauth.token"].invalidate_model()
        self.env["connector.credential"].invalidate_model()
        # The other transaction may have flagged the backend too (see _connector_credentials_refused).
        self.invalidate_recordset([*_TOKEN_FIELDS, "needs_reauthorization"])
        if refused is not None:
            raise refused
        return tokens

    def _oauth_renew_locked(self, used_access_token):
        self.env["connector.oauth.token"]._lock(self)
        status = self._oauth_status()
        current = self._oauth_stored_tokens()
        if status.state == "needs_reauth":
            raise AuthenticationError(self._oauth_reconnect_message())
        replaced = current.access_token and current.access_token != used_access_token
        if replaced and not current.expires_within(self._oauth_refresh_margin):
            return current
        grant = self._oauth_renewal_grant(current)
        if grant is None:
            raise AuthenticationError(self._oauth_reconnect_message())
        grant_type, params = grant
        tokens = self._oauth_token_request(grant_type, **params)
        if not tokens.refresh_token and current.refresh_token:
            tokens = oauth.TokenSet(tokens.access_token, current.refresh_token, tokens.expires_at)
        self._oauth_save_tokens(tokens)
        return tokens

    def _oauth_reconnect_message(self):
        return self.env._(
            "%(backend)s is not authorized on the platform: press Connect on the backend.",
            backend=self.display_name,
        )

    def _oauth_mark_refused(self, error):
        """A connected backend whose refresh was refused needs a person: say so, once."""
        status = self.env["connector.oauth.token"]._for(self)
        if status.state != "connected":
            return
        status.write({"state": "needs_reauth", "last_error": str(error)[:500]})
        self._connector_credentials_refused(error)

    def _oauth_schedule_refresh(self):
        """Queue one refresh job ahead of expiry (one at a time), when there is a refresh token."""
        tokens = self._oauth_stored_tokens()
        if not tokens.refresh_token or tokens.expires_at is None:
            return
        due = max(tokens.expires_at - self._oauth_refresh_lead, time.time())
        self._connector_enqueue(
            "_job_refresh_token",
            kind="token_refresh",
            name=self.env._("Refresh the access token of %(backend)s", backend=self.display_name),
            identity_key=_REFRESH_JOB_KEY,
            eta=_to_datetime(due),
        )

    def _job_refresh_token(self, job):
        """Refresh ahead of expiry; reschedules itself when an earlier refresh made it early."""
        if self._oauth_status().state != "connected":
            return {"summary": self.env._("Not connected: nothing to refresh.")}
        tokens = self._oauth_stored_tokens()
        if not tokens.expires_within(self._oauth_refresh_lead):
            self._oauth_schedule_refresh()
            return {"skipped": 1, "summary": self.env._("Access token still valid.")}
        self._oauth_renew(tokens.access_token)
        return {"updated": 1, "summary": self.env._("Access token renewed.")}
