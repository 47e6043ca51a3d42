-- The system CA stores devices really have. Each distinct set of SHA-256 ids is stored once (by the digest of its
-- sorted ids); each device keeps only its latest observation (facts and the set it had), so what one device stores
-- is bounded by one row and one set of at most 1000 ids.
CREATE TABLE observed_store_set (
  digest    CHAR(64)  PRIMARY KEY,
  sha256s   JSONB     NOT NULL,
  size      INTEGER   NOT NULL CHECK (size BETWEEN 0 AND 1000)
);

CREATE TABLE device_observation (
  device_id         UUID          PRIMARY KEY REFERENCES device (id) ON DELETE CASCADE,
  tenant_id         UUID          NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  manufacturer      VARCHAR(100)  NULL,
  model             VARCHAR(100)  NULL,
  release           VARCHAR(100)  NULL,
  api_level         INTEGER       NOT NULL CHECK (api_level BETWEEN 1 AND 100),
  security_patch    VARCHAR(100)  NULL,
  mainline_version  VARCHAR(100)  NULL,
  store_digest      CHAR(64)      NOT NULL REFERENCES observed_store_set (digest),
  observed_at       TIMESTAMPTZ   NOT NULL
);
CREATE INDEX device_observation_tenant ON device_observation (tenant_id);
CREATE INDEX device_observation_store ON device_observation (store_digest);

-- Which stores a group's requirements are computed for: BUNDLED (the platform stores), OBSERVED (the stores its
-- devices report, where they reported one), BOTH (a union of requirements).
ALTER TABLE device_group ADD COLUMN store_source VARCHAR(10) NOT NULL DEFAULT 'BUNDLED'
    CHECK (store_source IN ('BUNDLED', 'OBSERVED', 'BOTH'));
