-- Admin console sessions (failed sign-ins are counted in failed_attempt, door CONSOLE_SIGN_IN).
-- A session is stored only as the SHA-256 hash of its cookie value, so the table holds nothing a browser could
-- present. It belongs to the API key that signed in: revoking the key ends it (the lookup joins the live key) and
-- deleting the key or its tenant deletes it. Every replica reads the same rows, so signing out ends it everywhere.
CREATE TABLE console_session (
  token_hash   BYTEA       PRIMARY KEY,
  api_key_id   UUID        NOT NULL REFERENCES api_key (id) ON DELETE CASCADE,
  created_at   TIMESTAMPTZ NOT NULL,
  last_seen_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX console_session_api_key ON console_session (api_key_id);
CREATE INDEX console_session_created ON console_session (created_at);

