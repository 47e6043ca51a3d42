-- The version history trigger (V21) fired after every update of a group's requirement row and decided inside its
-- function whether the version had moved. Most updates of the row never move it: a platform store change marks
-- every group pending (recompute_wanted), the sweep claims each one (recompute_lease_until) and writes it back,
-- mostly with the version it had. Each of those three updates per group queued an after-trigger event and called
-- the function, at 50,000 groups 150,000 times for nothing. The trigger now fires only where the function can do
-- something: on an insert with a version, and on an update that sets the version to another value. The function is
-- unchanged and still checks the same conditions.
DROP TRIGGER group_requirements_version_recorded ON group_requirements;

CREATE TRIGGER group_requirements_version_recorded_on_insert
  AFTER INSERT ON group_requirements
  FOR EACH ROW WHEN (NEW.version > 0)
  EXECUTE FUNCTION record_group_requirements_version();

CREATE TRIGGER group_requirements_version_recorded_on_update
  AFTER UPDATE OF version ON group_requirements
  FOR EACH ROW WHEN (NEW.version > 0 AND NEW.version <> OLD.version)
  EXECUTE FUNCTION record_group_requirements_version();
