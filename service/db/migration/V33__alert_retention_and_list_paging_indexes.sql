-- Indexes for background retention of alert history (retention.AlertDeliveryRetention, AlertEventRetention)
-- and for keyset paging of the tenant list.

-- Retention finds the deliveries that finished longest ago; pending ones (still to be sent, or leased by a replica
-- sending them) are never candidates, so they are not in the index.
CREATE INDEX alert_delivery_finished ON alert_delivery (finished_at) WHERE status IN ('DELIVERED', 'FAILED');
-- Retention finds the oldest events of all tenants.
CREATE INDEX alert_event_occurred ON alert_event (occurred_at);
-- An event is deleted only when no delivery refers to it: alert_delivery_once (event_id, channel_id) answers that.

-- The operator's tenant list pages oldest first by (created_at, id). (Endpoints and device groups page by name within
-- their tenant, on their unique (tenant_id, name) indexes.)
CREATE INDEX tenant_created_id ON tenant (created_at, id);
