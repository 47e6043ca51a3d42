-- Storage shapes apart from API shapes, and a device group's endpoints as a relation.
--
-- 1. A scan's lists were four TEXT columns holding the API's JSON. They become one versioned storage record
--    (scan.StoredScan, schemaVersion 1) in a jsonb column. The field names of version 1 are those the API records
--    wrote, so existing rows are wrapped, not rewritten.
ALTER TABLE scan ADD COLUMN document JSONB;
UPDATE scan SET document = jsonb_build_object(
    'schemaVersion', 1,
    'presented', presented::jsonb,
    'completedPath', completed_path::jsonb,
    'findings', findings::jsonb,
    'perApiLevel', per_api_level::jsonb);
ALTER TABLE scan ALTER COLUMN document SET NOT NULL;
ALTER TABLE scan DROP COLUMN presented, DROP COLUMN completed_path, DROP COLUMN findings, DROP COLUMN per_api_level;

-- 2. A group's requirements were the API document (GroupRequirements) as TEXT. They become a versioned storage
--    record (policy.StoredRequirements, schemaVersion 1) in jsonb: the certificate role is the enum name (ROOT,
--    INTERMEDIATE) instead of the API's lower-case spelling; group id, version and computedAt are columns already.
ALTER TABLE group_requirements ALTER COLUMN document TYPE JSONB USING document::jsonb;
UPDATE group_requirements SET document = jsonb_build_object(
    'schemaVersion', 1,
    'certificates', COALESCE((
        SELECT jsonb_agg(c || jsonb_build_object('role', upper(c ->> 'role')) ORDER BY n)
        FROM jsonb_array_elements(document -> 'certificates') WITH ORDINALITY AS t(c, n)), '[]'::jsonb),
    'unresolved', COALESCE(document -> 'unresolved', '[]'::jsonb),
    'advice', COALESCE(document -> 'advice', '[]'::jsonb));

-- 3. device_group.endpoint_ids was a JSON list with no foreign key: deleting an endpoint left its id behind.
--    The relation has foreign keys on both sides, so deleting an endpoint (or a group) removes its rows. Because an
--    empty relation can no longer mean "every endpoint" (a group whose named endpoints were all deleted covers
--    none), all_endpoints says which groups named no endpoint. Ids of endpoints that no longer exist are dropped.
ALTER TABLE device_group ADD COLUMN all_endpoints BOOLEAN;
UPDATE device_group SET all_endpoints = (endpoint_ids::jsonb = '[]'::jsonb);
ALTER TABLE device_group ALTER COLUMN all_endpoints SET NOT NULL;

CREATE TABLE device_group_endpoint (
  group_id     UUID NOT NULL REFERENCES device_group (id) ON DELETE CASCADE,
  endpoint_id  UUID NOT NULL REFERENCES endpoint (id) ON DELETE CASCADE,
  PRIMARY KEY (group_id, endpoint_id)
);
CREATE INDEX device_group_endpoint_endpoint ON device_group_endpoint (endpoint_id);

INSERT INTO device_group_endpoint (group_id, endpoint_id)
SELECT DISTINCT g.id, e.id
FROM device_group g
CROSS JOIN LATERAL jsonb_array_elements_text(g.endpoint_ids::jsonb) AS named(id)
JOIN endpoint e ON e.id::text = named.id AND e.tenant_id = g.tenant_id;

ALTER TABLE device_group DROP COLUMN endpoint_ids;
