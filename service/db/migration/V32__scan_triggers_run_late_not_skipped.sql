-- Scan schedules made before this version skip a firing that could not start within Quartz's misfire threshold
-- (MISFIRE_INSTRUCTION_RESCHEDULE_NEXT_WITH_REMAINING_COUNT = 4): with a fleet due at once, most of it went unscanned
-- for a whole interval. New schedules run such a firing as soon as a worker is free
-- (MISFIRE_INSTRUCTION_RESCHEDULE_NOW_WITH_EXISTING_REPEAT_COUNT = 2, ScanScheduler); existing ones follow.
UPDATE qrtz_triggers SET misfire_instr = 2 WHERE trigger_group = 'endpoint-scans' AND misfire_instr = 4;
