-- Secrets every server of a shop must agree on (the console's session key), made once by the
-- first server that needs one, so sessions survive restarts and work on any server.
CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at TEXT NOT NULL
);
