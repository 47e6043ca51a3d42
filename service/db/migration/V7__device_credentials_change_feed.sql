-- Change feed of device credentials, polled by every replica (DeviceAuthService) to drop cached token lookups.
-- credentials_changed_at is set by the database whenever what a device token stands for changes: the token itself
-- (re-enrollment), revocation, the device group (re-enrollment, or the group deleted: ON DELETE SET NULL) or the
-- tenant. It stays NULL for a device whose credentials never changed after enrollment, so that a freshly inserted
-- device (nothing can have cached its new token) costs the feed nothing.
-- last_seen_at and report writes do not touch it.
ALTER TABLE device ADD COLUMN credentials_changed_at TIMESTAMPTZ NULL;

CREATE INDEX device_credentials_changed ON device (credentials_changed_at)
  WHERE credentials_changed_at IS NOT NULL;

CREATE FUNCTION device_credentials_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- clock_timestamp(), not now(): the time of this statement, not of the start of its transaction
  NEW.credentials_changed_at := clock_timestamp();
  RETURN NEW;
END
$$;

CREATE TRIGGER device_credentials_changed BEFORE UPDATE ON device FOR EACH ROW
  WHEN (OLD.token_hash IS DISTINCT FROM NEW.token_hash
        OR OLD.revoked_at IS DISTINCT FROM NEW.revoked_at
        OR OLD.device_group_id IS DISTINCT FROM NEW.device_group_id
        OR OLD.tenant_id IS DISTINCT FROM NEW.tenant_id)
  EXECUTE FUNCTION device_credentials_changed();
