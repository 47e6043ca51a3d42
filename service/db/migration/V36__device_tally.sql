-- Per tenant, how many devices read alike for the compliance rule: same group, revoked or not, same reported version,
-- installed set and whether the report has failures. Kept by statement triggers on device, in the transaction that
-- changes the devices, so the drift report, the alert checks and the group metrics count a tenant's devices from a few
-- rows instead of reading every device (100,000 device rows cost 130-330 ms to read on a 2-core machine).
--
-- Staleness is not in the tally: it depends on the time of the read. A device is STALE once last_seen_at is older than
-- trustfleet.device.stale-after; seen_day (the UTC day of last_seen_at, a generated column) is indexed so a read finds
-- the devices last seen on or before the day of that limit, few in a fleet that reports every 15 minutes, and checks
-- their exact last_seen_at. seen_day changes once a day per device, so last-seen and report updates stay HOT updates
-- on all other days (an index on last_seen_at itself would end that for every update).
--
-- Adding the generated column rewrites the device table once (about 10 s for 1,000,000 devices). The rewrite leaves a
-- tenth of each page free (fillfactor 90): every device row is updated every few minutes, and an update that finds
-- room on its row's page is a HOT update (no index entry written), where a full page sends it to another page and
-- through all of the table's indexes.
ALTER TABLE device SET (fillfactor = 90);
ALTER TABLE device ADD COLUMN seen_day DATE GENERATED ALWAYS AS ((last_seen_at AT TIME ZONE 'UTC')::date) STORED;
CREATE INDEX device_seen_day ON device (tenant_id, seen_day);

CREATE TABLE device_tally (
  tenant_id          UUID     NOT NULL,
  -- device_tally_key of the columns below: one equality to match, where four of them may be NULL
  key                BYTEA    NOT NULL,
  device_group_id    UUID     NULL,
  active             BOOLEAN  NOT NULL,  -- not revoked
  reported_version   BIGINT   NULL,
  reported_installed TEXT     NULL,
  failed             BOOLEAN  NOT NULL,  -- the report lists failures
  -- never below 0 (no CHECK: INSERT ... ON CONFLICT checks the row it would insert, a decrement's negative one)
  devices            BIGINT   NOT NULL,
  PRIMARY KEY (tenant_id, key)
);

CREATE FUNCTION device_tally_key(device_group_id UUID, active BOOLEAN, reported_version BIGINT, failed BOOLEAN,
                                 reported_installed TEXT) RETURNS BYTEA LANGUAGE sql STABLE AS $$
  -- format prints NULL as nothing: a UUID, a boolean or a version is never empty, an installed set is a JSON array.
  -- STABLE, as format is: declared IMMUTABLE it would not be inlined, and would run as a query of its own per key.
  SELECT sha256(convert_to(format('%s|%s|%s|%s|%s', device_group_id, active, reported_version, failed,
                                  reported_installed), 'UTF8'))
$$;

-- Adds the changed devices' new rows and subtracts their old ones, per key. An update counts only the devices whose
-- key it changed (a report that repeats the last one, a last-seen time: none). Rows are locked in key order (one
-- ordered upsert for increments and decrements alike: a decremented key always has its row), so two transactions
-- counting the same keys wait for each other instead of deadlocking; keys left with no device are deleted. Static
-- statements, so PL/pgSQL keeps their plans: planning one per statement on device would cost more than counting.
CREATE FUNCTION device_tally_count() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  tenants UUID[];
  groups UUID[];
  actives BOOLEAN[];
  versions BIGINT[];
  installed TEXT[];
  failures BOOLEAN[];
  deltas BIGINT[];
  emptied_tenants UUID[];
  emptied_keys BYTEA[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(tenant_id), array_agg(device_group_id), array_agg(active), array_agg(reported_version),
           array_agg(reported_installed), array_agg(failed), array_agg(n)
    INTO tenants, groups, actives, versions, installed, failures, deltas
    FROM (SELECT tenant_id, device_group_id, revoked_at IS NULL AS active, reported_version, reported_installed,
                 COALESCE(reported_failures, '[]') <> '[]' AS failed, count(*) AS n
          FROM new_devices GROUP BY 1, 2, 3, 4, 5, 6) d;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(tenant_id), array_agg(device_group_id), array_agg(active), array_agg(reported_version),
           array_agg(reported_installed), array_agg(failed), array_agg(n)
    INTO tenants, groups, actives, versions, installed, failures, deltas
    FROM (SELECT tenant_id, device_group_id, revoked_at IS NULL AS active, reported_version, reported_installed,
                 COALESCE(reported_failures, '[]') <> '[]' AS failed, -count(*) AS n
          FROM old_devices GROUP BY 1, 2, 3, 4, 5, 6) d;
  ELSE
    SELECT array_agg(tenant_id), array_agg(device_group_id), array_agg(active), array_agg(reported_version),
           array_agg(reported_installed), array_agg(failed), array_agg(n)
    INTO tenants, groups, actives, versions, installed, failures, deltas
    FROM (SELECT k.tenant_id, k.device_group_id, k.active, k.reported_version, k.reported_installed, k.failed,
                 sum(k.n) AS n
          FROM new_devices nd JOIN old_devices od ON od.id = nd.id
          CROSS JOIN LATERAL (VALUES
              (nd.tenant_id, nd.device_group_id, nd.revoked_at IS NULL, nd.reported_version, nd.reported_installed,
               COALESCE(nd.reported_failures, '[]') <> '[]', 1),
              (od.tenant_id, od.device_group_id, od.revoked_at IS NULL, od.reported_version, od.reported_installed,
               COALESCE(od.reported_failures, '[]') <> '[]', -1))
            AS k(tenant_id, device_group_id, active, reported_version, reported_installed, failed, n)
          WHERE (nd.tenant_id, nd.device_group_id, nd.revoked_at IS NULL, nd.reported_version,
                 nd.reported_installed, COALESCE(nd.reported_failures, '[]') <> '[]')
                IS DISTINCT FROM
                (od.tenant_id, od.device_group_id, od.revoked_at IS NULL, od.reported_version,
                 od.reported_installed, COALESCE(od.reported_failures, '[]') <> '[]')
          GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(k.n) <> 0) d;
  END IF;
  IF tenants IS NULL THEN
    RETURN NULL;
  END IF;
  WITH counted AS (
    INSERT INTO device_tally AS t (tenant_id, key, device_group_id, active, reported_version, reported_installed,
                                   failed, devices)
    SELECT d.tenant_id, device_tally_key(d.device_group_id, d.active, d.reported_version, d.failed,
                                         d.reported_installed),
           d.device_group_id, d.active, d.reported_version, d.reported_installed, d.failed, d.n
    FROM unnest(tenants, groups, actives, versions, installed, failures, deltas)
      AS d(tenant_id, device_group_id, active, reported_version, reported_installed, failed, n)
    ORDER BY 1, 2
    ON CONFLICT (tenant_id, key) DO UPDATE SET devices = t.devices + EXCLUDED.devices
    RETURNING t.tenant_id, t.key, t.devices)
  SELECT array_agg(c.tenant_id), array_agg(c.key) INTO emptied_tenants, emptied_keys
  FROM counted c WHERE c.devices = 0;
  IF emptied_keys IS NOT NULL THEN
    DELETE FROM device_tally t USING unnest(emptied_tenants, emptied_keys) AS e(tenant_id, key)
    WHERE t.tenant_id = e.tenant_id AND t.key = e.key AND t.devices = 0;
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION device_tally_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM device_tally;
  RETURN NULL;
END
$$;

CREATE TRIGGER device_tally_insert AFTER INSERT ON device REFERENCING NEW TABLE AS new_devices
  FOR EACH STATEMENT EXECUTE FUNCTION device_tally_count();
CREATE TRIGGER device_tally_update AFTER UPDATE ON device REFERENCING OLD TABLE AS old_devices NEW TABLE AS new_devices
  FOR EACH STATEMENT EXECUTE FUNCTION device_tally_count();
CREATE TRIGGER device_tally_delete AFTER DELETE ON device REFERENCING OLD TABLE AS old_devices
  FOR EACH STATEMENT EXECUTE FUNCTION device_tally_count();
CREATE TRIGGER device_tally_truncate AFTER TRUNCATE ON device
  FOR EACH STATEMENT EXECUTE FUNCTION device_tally_clear();

-- The devices already there, counted while the ALTER TABLE above keeps every writer out.
INSERT INTO device_tally (tenant_id, key, device_group_id, active, reported_version, reported_installed, failed,
                          devices)
SELECT tenant_id, device_tally_key(device_group_id, active, reported_version, failed, reported_installed),
       device_group_id, active, reported_version, reported_installed, failed, count(*)
FROM (SELECT tenant_id, device_group_id, revoked_at IS NULL AS active, reported_version, reported_installed,
             COALESCE(reported_failures, '[]') <> '[]' AS failed FROM device) d
GROUP BY tenant_id, device_group_id, active, reported_version, reported_installed, failed;
