-- Every certificate the deployment has seen (scans, AIA, stores, anchors), stored once by SHA-256 of its DER.
CREATE TABLE certificate (
  sha256     CHAR(64)      PRIMARY KEY,
  der        BYTEA         NOT NULL,
  subject    VARCHAR(2000) NOT NULL,
  issuer     VARCHAR(2000) NOT NULL,
  not_before TIMESTAMPTZ   NOT NULL,
  not_after  TIMESTAMPTZ   NOT NULL,
  is_ca      BOOLEAN       NOT NULL,
  first_seen TIMESTAMPTZ   NOT NULL
);
-- chain completion looks up known intermediates by subject
CREATE INDEX certificate_subject ON certificate (subject) WHERE is_ca;

-- Platform stores added or replaced by operators; they win over the bundled store of the same API level.
CREATE TABLE trust_store (
  id          UUID         PRIMARY KEY,
  name        VARCHAR(100) NOT NULL UNIQUE,
  platform    VARCHAR(20)  NOT NULL CHECK (platform IN ('android')),
  api_level   INTEGER      NOT NULL CHECK (api_level BETWEEN 1 AND 100),
  updated_at  TIMESTAMPTZ  NOT NULL
);
CREATE TABLE trust_store_certificate (
  trust_store_id UUID     NOT NULL REFERENCES trust_store (id) ON DELETE CASCADE,
  sha256         CHAR(64) NOT NULL REFERENCES certificate (sha256),
  PRIMARY KEY (trust_store_id, sha256)
);

-- A tenant's private CAs (roots or intermediates), e.g. the on-premises AD FS issuing CA.
CREATE TABLE tenant_anchor (
  id         UUID          PRIMARY KEY,
  tenant_id  UUID          NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  sha256     CHAR(64)      NOT NULL REFERENCES certificate (sha256),
  note       VARCHAR(500)  NULL,
  created_at TIMESTAMPTZ   NOT NULL,
  UNIQUE (tenant_id, sha256)
);
