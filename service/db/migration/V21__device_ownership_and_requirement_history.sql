-- 1. A device group's ownership setting gains Android Enterprise's other deployment scenarios: dedicated devices,
--    company-owned work profile (COPE) and AOSP. FULLY_MANAGED and WORK_PROFILE (personally owned) keep their names.
ALTER TABLE device_group DROP CONSTRAINT IF EXISTS device_group_management_mode_check;
ALTER TABLE device_group ALTER COLUMN management_mode TYPE VARCHAR(40);
ALTER TABLE device_group ADD CONSTRAINT device_group_management_mode_check CHECK (management_mode IN (
    'FULLY_MANAGED', 'DEDICATED', 'CORPORATE_OWNED_WORK_PROFILE', 'WORK_PROFILE', 'AOSP'));

-- 2. Every version of a group's certificate set, so that a console can ask what changed since the version it
--    applied (GET .../requirements/changes?since=N). A trigger records the set whenever group_requirements gets a
--    new version, whoever writes it; the versions current today are recorded once here.
CREATE TABLE group_requirements_version (
  group_id      UUID         NOT NULL REFERENCES device_group (id) ON DELETE CASCADE,
  version       BIGINT       NOT NULL,
  -- [{sha256, role, subject}] in the set's order
  certificates  JSONB        NOT NULL,
  recorded_at   TIMESTAMPTZ  NOT NULL,
  PRIMARY KEY (group_id, version)
);

CREATE FUNCTION record_group_requirements_version() RETURNS trigger AS $$
BEGIN
  IF NEW.version > 0 AND (TG_OP = 'INSERT' OR NEW.version <> OLD.version) THEN
    INSERT INTO group_requirements_version (group_id, version, certificates, recorded_at)
    VALUES (NEW.group_id, NEW.version, COALESCE((
        SELECT jsonb_agg(jsonb_build_object('sha256', c ->> 'sha256', 'role', c ->> 'role',
                                            'subject', c ->> 'subject') ORDER BY n)
        FROM jsonb_array_elements(NEW.document -> 'certificates') WITH ORDINALITY AS t(c, n)), '[]'::jsonb),
        NEW.computed_at)
    ON CONFLICT (group_id, version) DO NOTHING;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER group_requirements_version_recorded
  AFTER INSERT OR UPDATE ON group_requirements
  FOR EACH ROW EXECUTE FUNCTION record_group_requirements_version();

INSERT INTO group_requirements_version (group_id, version, certificates, recorded_at)
SELECT r.group_id, r.version, COALESCE((
    SELECT jsonb_agg(jsonb_build_object('sha256', c ->> 'sha256', 'role', c ->> 'role',
                                        'subject', c ->> 'subject') ORDER BY n)
    FROM jsonb_array_elements(r.document -> 'certificates') WITH ORDINALITY AS t(c, n)), '[]'::jsonb),
    r.computed_at
FROM group_requirements r WHERE r.version > 0;
