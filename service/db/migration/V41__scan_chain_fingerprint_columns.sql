-- The three fingerprint lists a recompute reads of each endpoint's latest scan (ScanService.latestObservations: the
-- presented certificates, the completed path and the chain the server fix proposes), kept by the database next to
-- the scan's document as V35 keeps what a report shows. Cut out of the document on every read, each read
-- decompressed the whole document (1.8 KB stored, 11.6 KB of JSON for a failing endpoint): a platform store change
-- reads the latest scan of every endpoint, and for 5,000 endpoints the read took 154 ms from the document and 58 ms
-- from these columns (about 2 s of PostgreSQL's time per 100,000 endpoints). Generated, so they follow the document
-- for every writer and for the rows already stored (this rewrites the table once). The cost is space: about 360
-- bytes a scan.
ALTER TABLE scan
  ADD COLUMN presented_sha256s jsonb GENERATED ALWAYS AS
      (jsonb_path_query_array(document, '$.presented[*].sha256')) STORED,
  ADD COLUMN completed_path_sha256s jsonb GENERATED ALWAYS AS (document -> 'completedPath') STORED,
  ADD COLUMN server_fix_chain_sha256s jsonb GENERATED ALWAYS AS (document #> '{serverFix,chain}') STORED;
