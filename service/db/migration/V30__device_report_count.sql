-- How many reports each device has had stored (incremented by the batched report UPDATE): lets an operator or a
-- benchmark count accepted reports without keeping a report history. A constant default is a metadata-only change
-- (no table rewrite), and the column is not indexed, so report updates stay HOT updates.
ALTER TABLE device ADD COLUMN reports_received BIGINT NOT NULL DEFAULT 0;
