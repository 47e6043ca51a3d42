-- The one cross-replica cache invalidation feed (org.trustfleet.cache.InvalidationFeed). A row says that the entry
-- cache_key of the in-memory caches named cache_name changed; it is written in the transaction that made the change
-- (by the application, or by a trigger below), and every replica polls the rows newer than its previous poll and
-- drops those entries. Rows older than an hour are deleted by the polls.
CREATE TABLE cache_invalidation (
  id          BIGSERIAL PRIMARY KEY,
  cache_name  TEXT NOT NULL,
  cache_key   TEXT NOT NULL,
  -- clock_timestamp(), not now(): the time of this statement, not of the start of its transaction
  changed_at  TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX cache_invalidation_changed_at ON cache_invalidation (changed_at);

-- Device credentials (V7's trigger, same conditions) now also go to the feed, under the name 'device-credentials'
-- and the device id. credentials_changed_at keeps being set, but nothing polls it any more.
CREATE OR REPLACE FUNCTION device_credentials_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.credentials_changed_at := clock_timestamp();
  INSERT INTO cache_invalidation (cache_name, cache_key) VALUES ('device-credentials', NEW.id::text);
  RETURN NEW;
END
$$;
