-- Payload signing keys. Private keys are stored only sealed with AES-256-GCM under the deployment master key
-- (KeyVault); master_key_fingerprint tells which master key sealed a row without revealing it.

-- The deployment payload root: exactly one row (id = 1), created at first need by whichever replica gets there
-- first (INSERT ... ON CONFLICT DO NOTHING, then everyone reads the winner).
CREATE TABLE payload_root (
  id                     SMALLINT     PRIMARY KEY CHECK (id = 1),
  certificate            BYTEA        NOT NULL,
  sealed_key             BYTEA        NOT NULL,
  master_key_fingerprint VARCHAR(32)  NOT NULL,
  created_at             TIMESTAMPTZ  NOT NULL
);

-- Tenant payload signers issued by the root: one active (retired_at IS NULL) per tenant, retired ones kept.
CREATE TABLE payload_signer (
  id                     UUID         PRIMARY KEY,
  tenant_id              UUID         NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  certificate            BYTEA        NOT NULL,
  sha256                 CHAR(64)     NOT NULL,
  not_after              TIMESTAMPTZ  NOT NULL,
  sealed_key             BYTEA        NOT NULL,
  master_key_fingerprint VARCHAR(32)  NOT NULL,
  created_at             TIMESTAMPTZ  NOT NULL,
  retired_at             TIMESTAMPTZ  NULL
);
CREATE UNIQUE INDEX payload_signer_active ON payload_signer (tenant_id) WHERE retired_at IS NULL;

-- The current signed payload of each group, shared by replicas so that all serve the same bytes (and ETag).
-- Replaced when the requirements version or the tenant's signer changes, or when half its validity has passed.
CREATE TABLE signed_payload (
  group_id    UUID         PRIMARY KEY REFERENCES device_group (id) ON DELETE CASCADE,
  tenant_id   UUID         NOT NULL,
  version     BIGINT       NOT NULL,
  signer_id   UUID         NOT NULL,
  issued_at   TIMESTAMPTZ  NOT NULL,
  expires_at  TIMESTAMPTZ  NOT NULL,
  etag        VARCHAR(80)  NOT NULL,
  cms         BYTEA        NOT NULL
);

-- Enrollment tokens: stored hashed; each enrollment consumes one use atomically.
CREATE TABLE enrollment_token (
  id               UUID         PRIMARY KEY,
  tenant_id        UUID         NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  device_group_id  UUID         NOT NULL REFERENCES device_group (id) ON DELETE CASCADE,
  token_hash       BYTEA        NOT NULL,
  token_prefix     VARCHAR(16)  NOT NULL,
  expires_at       TIMESTAMPTZ  NOT NULL,
  max_uses         INTEGER      NOT NULL CHECK (max_uses > 0),
  uses             INTEGER      NOT NULL DEFAULT 0 CHECK (uses >= 0),
  created_at       TIMESTAMPTZ  NOT NULL
);
CREATE UNIQUE INDEX enrollment_token_hash_unique ON enrollment_token (token_hash);
CREATE INDEX enrollment_token_tenant ON enrollment_token (tenant_id);

-- Enrolled devices. One row per (tenant, hardware id): re-enrolling replaces the token and group.
-- device_group_id becomes NULL when the group is deleted (the device must re-enroll into another group).
CREATE TABLE device (
  id                UUID          PRIMARY KEY,
  tenant_id         UUID          NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  device_group_id   UUID          NULL REFERENCES device_group (id) ON DELETE SET NULL,
  hardware_id       VARCHAR(200)  NOT NULL,
  token_hash        BYTEA         NOT NULL,
  model             VARCHAR(200)  NULL,
  agent_version     VARCHAR(200)  NULL,
  api_level         INTEGER       NOT NULL,
  enrolled_at       TIMESTAMPTZ   NOT NULL,
  last_seen_at      TIMESTAMPTZ   NOT NULL,
  revoked_at        TIMESTAMPTZ   NULL,
  -- the latest report (JSON arrays), NULL before the first
  reported_at       TIMESTAMPTZ   NULL,
  reported_version  BIGINT        NULL,
  reported_installed TEXT         NULL,
  reported_failures TEXT          NULL,
  UNIQUE (tenant_id, hardware_id)
);
CREATE UNIQUE INDEX device_token_hash_unique ON device (token_hash);
CREATE INDEX device_tenant_id ON device (tenant_id, id);
CREATE INDEX device_by_group ON device (device_group_id);
