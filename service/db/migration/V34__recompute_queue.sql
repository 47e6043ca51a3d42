-- Recomputing every group after a platform store change is a queue in the table, not a loop in the request that
-- changed the store: the change raises recompute_wanted of every group in its own transaction, and each replica's
-- RecomputeSweep recomputes pending groups in parallel (a lease keeps replicas off each other's groups). A recompute
-- records the wanted value it read before reading its inputs as recompute_done, so a change that commits while a
-- group is being computed leaves that group pending. Nothing is lost when a replica dies mid-way: the rows stay
-- pending until some replica's sweep computes them.
ALTER TABLE group_requirements
  ADD COLUMN recompute_wanted      BIGINT      NOT NULL DEFAULT 0,
  ADD COLUMN recompute_done        BIGINT      NOT NULL DEFAULT 0,
  ADD COLUMN recompute_lease_until TIMESTAMPTZ NULL;

CREATE INDEX group_requirements_recompute_pending ON group_requirements (tenant_id)
  WHERE recompute_wanted > recompute_done;
