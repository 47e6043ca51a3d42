-- A device's last-seen time moves to a narrow table of its own. It is the one device fact written for nearly every
-- request (at most once per device and trustfleet.device.last-seen-granularity, so once per fetch of a fleet that
-- fetches every 15 minutes), and on device each such write copied the whole device row (token hash, reported
-- JSON sets and failures), logged it, and passed it through the tally trigger's transition tables. Here a write
-- copies a row of about 70 bytes, a page holds many more devices (fewer pages to log in full after each
-- checkpoint), and no trigger is on the table.
--
-- seen_day keeps the role V36 gave it on device: the UTC day of last_seen_at, indexed with the tenant so that the
-- stale devices are found without an index on last_seen_at itself, which every write would update; seen_day changes
-- once a day per device, so the other writes stay HOT updates (fillfactor 90 leaves each page room for them).
--
-- Every device has exactly one row here: inserted with the device by the trigger below, whatever inserts it (the
-- service at enrollment, a bulk load), with its enrollment time as its first last-seen time; deleted with it.
--
-- Additive, so that replicas of the previous version keep working during a rolling upgrade: device.last_seen_at
-- and device.seen_day (with its index) stay, no longer read or written by this version (last_seen_at defaults to
-- the insert time, as this version inserts devices without it). A later migration drops them.
-- The SHARE lock keeps devices from being inserted between the copy and the trigger (reads go on).
LOCK TABLE device IN SHARE MODE;

CREATE TABLE device_seen (
  device_id     UUID         PRIMARY KEY REFERENCES device (id) ON DELETE CASCADE,
  tenant_id     UUID         NOT NULL,
  last_seen_at  TIMESTAMPTZ  NOT NULL,
  seen_day      DATE         GENERATED ALWAYS AS ((last_seen_at AT TIME ZONE 'UTC')::date) STORED
) WITH (fillfactor = 90);

CREATE FUNCTION device_seen_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO device_seen (device_id, tenant_id, last_seen_at) SELECT id, tenant_id, enrolled_at FROM new_devices;
  RETURN NULL;
END
$$;

-- An INSERT ... ON CONFLICT DO UPDATE (re-enrollment) lists only the rows it inserted here: an updated device keeps
-- its row, and the service sets its time.
CREATE TRIGGER device_seen_insert AFTER INSERT ON device REFERENCING NEW TABLE AS new_devices
  FOR EACH STATEMENT EXECUTE FUNCTION device_seen_insert();

INSERT INTO device_seen (device_id, tenant_id, last_seen_at) SELECT id, tenant_id, last_seen_at FROM device;
CREATE INDEX device_seen_tenant_day ON device_seen (tenant_id, seen_day);

ALTER TABLE device ALTER COLUMN last_seen_at SET DEFAULT now();
