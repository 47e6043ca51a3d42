-- Device groups: which devices (API-level range, management mode) must reach which endpoints.
CREATE TABLE device_group (
  id               UUID         PRIMARY KEY,
  tenant_id        UUID         NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  name             VARCHAR(200) NOT NULL,
  min_api_level    INTEGER      NOT NULL,
  max_api_level    INTEGER      NOT NULL,
  management_mode  VARCHAR(20)  NOT NULL CHECK (management_mode IN ('FULLY_MANAGED', 'WORK_PROFILE')),
  -- JSON arrays; an empty endpoint list means every endpoint of the tenant
  endpoint_ids     TEXT         NOT NULL,
  include_sha256   TEXT         NOT NULL,
  exclude_sha256   TEXT         NOT NULL,
  created_at       TIMESTAMPTZ  NOT NULL,
  updated_at       TIMESTAMPTZ  NOT NULL,
  CHECK (min_api_level <= max_api_level),
  UNIQUE (tenant_id, name)
);
CREATE INDEX device_group_tenant ON device_group (tenant_id);

-- The computed requirement set of each group; version increases only when the certificate set changes.
CREATE TABLE group_requirements (
  group_id     UUID         PRIMARY KEY REFERENCES device_group (id) ON DELETE CASCADE,
  tenant_id    UUID         NOT NULL,
  version      BIGINT       NOT NULL,
  set_key      CHAR(64)     NOT NULL,
  computed_at  TIMESTAMPTZ  NOT NULL,
  document     TEXT         NOT NULL
);
