-- Certificate signature verdicts, shared by replicas and kept across restarts. A replica kept them in memory only
-- (pki's SignatureVerdicts), so the first platform store change after a start checked every endpoint's leaf signature
-- again: at 100,000 endpoints, 100,000 ECDSA verifications. A verdict is a function of its key, the SHA-256 of
-- (algorithm, parameters, public key, signed bytes, signature), so it never goes stale and any replica may use any
-- other's. kept_at is when a replica last wrote or refreshed the row: rows no replica has used for
-- trustfleet.retention.signature-verdict-age are pruned (a certificate an endpoint no longer presents).
CREATE TABLE signature_verdict (
  id bytea PRIMARY KEY CHECK (octet_length(id) = 32),
  verifies boolean NOT NULL,
  kept_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX signature_verdict_kept_at ON signature_verdict (kept_at);
