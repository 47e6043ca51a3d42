-- Failed enrollment attempts per client address, shared by every replica: the failure limit
-- (trustfleet.enrollment.max-failures-per-minute) holds for the deployment, not per replica. One row per address;
-- `failures` holds the times of the failures in the last minute, oldest first. A failure is counted, or refused
-- because the limit is reached, by one INSERT ... ON CONFLICT DO UPDATE ... WHERE, which locks the row: concurrent
-- attempts cannot both see room for one more. Rows of addresses quiet for a minute are deleted.
CREATE TABLE enrollment_failure (
  address    VARCHAR(100)   PRIMARY KEY,
  failures   TIMESTAMPTZ[]  NOT NULL,
  updated_at TIMESTAMPTZ    NOT NULL
);
CREATE INDEX enrollment_failure_updated ON enrollment_failure (updated_at);
