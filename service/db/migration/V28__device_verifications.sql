-- What enrolled devices found when they connected to their group's endpoints themselves: the latest outcome per
-- (device, endpoint). A device reports only for endpoints of its group, so its rows are bounded by the group's
-- endpoints; deleting the device or the endpoint removes them.
CREATE TABLE device_verification (
  device_id        UUID          NOT NULL REFERENCES device (id) ON DELETE CASCADE,
  endpoint_id      UUID          NOT NULL REFERENCES endpoint (id) ON DELETE CASCADE,
  tenant_id        UUID          NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  -- the device's group when it reported: a device moved to another group by re-enrolling is a new device
  group_id         UUID          NOT NULL REFERENCES device_group (id) ON DELETE CASCADE,
  payload_version  BIGINT        NOT NULL,
  outcome          VARCHAR(20)   NOT NULL CHECK (outcome IN ('TRUSTED', 'UNTRUSTED', 'UNREACHABLE')),
  detail           VARCHAR(500)  NULL,
  -- SHA-256 ids of the chain the device received (UNTRUSTED only), leaf first, JSON array of at most 20
  chain            JSONB         NOT NULL,
  verified_at      TIMESTAMPTZ   NOT NULL,
  PRIMARY KEY (device_id, endpoint_id)
);
CREATE INDEX device_verification_tenant_endpoint ON device_verification (tenant_id, endpoint_id);
