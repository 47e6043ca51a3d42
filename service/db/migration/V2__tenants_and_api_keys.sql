-- Tenants and their API keys. Keys are stored only as SHA-256 hashes of the bearer token.
CREATE TABLE tenant (
  id         UUID PRIMARY KEY,
  name       VARCHAR(200) NOT NULL,
  created_at TIMESTAMPTZ  NOT NULL
);
CREATE UNIQUE INDEX tenant_name_unique ON tenant (lower(name));

CREATE TABLE api_key (
  id           UUID PRIMARY KEY,
  tenant_id    UUID         NULL REFERENCES tenant (id) ON DELETE CASCADE,
  name         VARCHAR(200) NOT NULL,
  role         VARCHAR(20)  NOT NULL CHECK (role IN ('OPERATOR', 'ADMIN', 'CONSOLE')),
  token_hash   BYTEA        NOT NULL,
  token_prefix VARCHAR(16)  NOT NULL,
  created_at   TIMESTAMPTZ  NOT NULL,
  revoked_at   TIMESTAMPTZ  NULL,
  -- an operator key belongs to the deployment, every other key to exactly one tenant
  CHECK ((role = 'OPERATOR') = (tenant_id IS NULL))
);
CREATE UNIQUE INDEX api_key_token_hash_unique ON api_key (token_hash);
CREATE INDEX api_key_tenant ON api_key (tenant_id);
