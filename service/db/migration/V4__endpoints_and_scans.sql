-- Auth endpoints a tenant wants watched, and every scan of them.
CREATE TABLE endpoint (
  id                    UUID         PRIMARY KEY,
  tenant_id             UUID         NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  name                  VARCHAR(200) NOT NULL,
  host                  VARCHAR(253) NOT NULL,
  port                  INTEGER      NOT NULL CHECK (port BETWEEN 1 AND 65535),
  server_name           VARCHAR(253) NULL,
  scan_interval_minutes INTEGER      NOT NULL CHECK (scan_interval_minutes BETWEEN 1 AND 10080),
  created_at            TIMESTAMPTZ  NOT NULL,
  updated_at            TIMESTAMPTZ  NOT NULL,
  UNIQUE (tenant_id, name)
);
CREATE INDEX endpoint_tenant ON endpoint (tenant_id);

CREATE TABLE scan (
  id              UUID         PRIMARY KEY,
  endpoint_id     UUID         NOT NULL REFERENCES endpoint (id) ON DELETE CASCADE,
  tenant_id       UUID         NOT NULL,
  started_at      TIMESTAMPTZ  NOT NULL,
  duration_ms     BIGINT       NOT NULL,
  status          VARCHAR(30)  NOT NULL,
  trigger         VARCHAR(20)  NOT NULL,
  -- the Quartz fire time of a scheduled scan: a second run of the same firing would violate the unique index
  scheduled_for   TIMESTAMPTZ  NULL,
  instance        VARCHAR(200) NULL,
  tls_version     VARCHAR(20)  NULL,
  cipher_suite    VARCHAR(100) NULL,
  address         VARCHAR(64)  NULL,
  error_detail    VARCHAR(1000) NULL,
  chain_key       CHAR(64)     NULL,
  presented       TEXT         NOT NULL,
  completed_path  TEXT         NOT NULL,
  findings        TEXT         NOT NULL,
  per_api_level   TEXT         NOT NULL
);
CREATE INDEX scan_endpoint_started ON scan (endpoint_id, started_at DESC);
CREATE UNIQUE INDEX scan_scheduled_once ON scan (endpoint_id, scheduled_for) WHERE scheduled_for IS NOT NULL;

-- CHAIN_CHANGED events kept for drift reports.
CREATE TABLE chain_event (
  id               UUID         PRIMARY KEY,
  tenant_id        UUID         NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  endpoint_id      UUID         NOT NULL REFERENCES endpoint (id) ON DELETE CASCADE,
  scan_id          UUID         NOT NULL REFERENCES scan (id) ON DELETE CASCADE,
  previous_scan_id UUID         NULL,
  occurred_at      TIMESTAMPTZ  NOT NULL,
  change           VARCHAR(30)  NOT NULL,
  previous_chain   TEXT         NOT NULL,
  new_chain        TEXT         NOT NULL
);
CREATE INDEX chain_event_tenant ON chain_event (tenant_id, occurred_at DESC);
