-- Failed attempts at an unauthenticated door (door = ENROLLMENT for POST /enroll, CONSOLE_SIGN_IN for the console's
-- sign-in) per client address, shared by every replica: each door's failure limit holds for the deployment, not per
-- replica. One row per door and address; `failures` holds the times of the failures in the last minute, oldest
-- first. A failure is counted, or refused because the limit is reached, by one INSERT ... ON CONFLICT DO UPDATE ...
-- WHERE, which locks the row: concurrent attempts cannot both see room for one more. Rows quiet for a minute are
-- deleted.
CREATE TABLE failed_attempt (
  door       VARCHAR(20)    NOT NULL,
  address    VARCHAR(100)   NOT NULL,
  failures   TIMESTAMPTZ[]  NOT NULL,
  updated_at TIMESTAMPTZ    NOT NULL,
  PRIMARY KEY (door, address)
);
CREATE INDEX failed_attempt_updated ON failed_attempt (updated_at);
