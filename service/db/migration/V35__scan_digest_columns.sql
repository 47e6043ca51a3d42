-- What a tenant-wide report shows of each endpoint's latest scan (ScanService.latestDigests: the API levels that
-- reject the chain, the finding codes, the presented certificates and, for a failed scan, the server fix), kept by
-- the database next to the scan's document instead of cut out of it on every read: for a tenant with 1,000
-- endpoints, extracting these parts was 45 ms of a drift report's 60 ms scan read (jsonb_path over each document,
-- jsonb written back out as text). Generated columns follow the document by construction, for every writer and for
-- the rows already stored (this rewrites the table once). The cost is space: the presented certificates are stored
-- twice (about 0.5 KB a scan compressed), the server fix of a failed scan too (about 1 KB more).
ALTER TABLE scan
  ADD COLUMN untrusted_api_levels jsonb GENERATED ALWAYS AS
      (jsonb_path_query_array(document, '$.perApiLevel[*] ? (@.trusted == false).apiLevel')) STORED,
  ADD COLUMN finding_codes jsonb GENERATED ALWAYS AS (jsonb_path_query_array(document, '$.findings[*].code')) STORED,
  -- json, not jsonb: read back as the text it was written as, with no conversion
  ADD COLUMN presented_certificates json GENERATED ALWAYS AS ((document -> 'presented')::json) STORED,
  -- the server fix of a scan that failed (no chain, or a chain some level rejects: ScanDigest.failed), else null
  ADD COLUMN failed_server_fix json GENERATED ALWAYS AS (CASE WHEN status <> 'OK'
      OR jsonb_path_exists(document, '$.perApiLevel[*] ? (@.trusted == false)')
      THEN (document -> 'serverFix')::json END) STORED;
