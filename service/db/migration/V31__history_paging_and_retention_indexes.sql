-- Indexes for keyset paging and background retention of history (scans, chain events, enrollment tokens).

-- Scan history pages newest first by (started_at, id), continuing strictly after a cursor.
CREATE INDEX scan_endpoint_started_id ON scan (endpoint_id, started_at DESC, id DESC);
DROP INDEX scan_endpoint_started;
-- Retention finds the oldest scans of all endpoints.
CREATE INDEX scan_started ON scan (started_at);

-- Deleting a scan cascades to the chain events naming it, and retention keeps scans a chain event names: both look
-- chain events up by scan.
CREATE INDEX chain_event_scan ON chain_event (scan_id);
CREATE INDEX chain_event_previous_scan ON chain_event (previous_scan_id) WHERE previous_scan_id IS NOT NULL;
-- Retention finds the oldest chain events of all tenants.
CREATE INDEX chain_event_occurred ON chain_event (occurred_at);

-- Enrollment tokens page newest first by (created_at, id).
CREATE INDEX enrollment_token_tenant_created ON enrollment_token (tenant_id, created_at DESC, id DESC);
DROP INDEX enrollment_token_tenant;
