-- The contract half of V37: device.last_seen_at and device.seen_day (with its index device_seen_day) have not been
-- read or written since V37 moved the last-seen time to device_seen; they stayed so that replicas of the version
-- before V37 kept working during a rolling upgrade. Dropping them takes the dead index off every device insert and
-- 12 bytes off every device row (the space comes back as rows are rewritten; DROP COLUMN itself rewrites nothing).
--
-- Replicas of a version before V37 must be stopped before this migration runs: roll through a version with V37-V39
-- first, or stop every replica for the upgrade (docs/operations.md, "Upgrades").
ALTER TABLE device DROP COLUMN seen_day;
ALTER TABLE device DROP COLUMN last_seen_at;
