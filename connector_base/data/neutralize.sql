-- A neutralized copy must never sync against production accounts:
-- drop every secret and pause every backend.
DELETE FROM connector_credential;
INSERT INTO connector_backend_pause (reason, create_date, write_date)
VALUES ('Database neutralized', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC');
