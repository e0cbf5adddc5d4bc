-- A neutralized copy must never sync against production accounts:
-- drop every secret and pause every backend.
DELETE FROM connector_credential;
INSERT INTO connector_backend_pause (reason, create_date, write_date)
VALUES ('Database neutralized', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC');
-- Without their tokens, OAuth backends are disconnected (a manager connects the copy again).
UPDATE connector_oauth_token SET state = 'disconnected', expires_at = NULL, pending_nonce = NULL;
