-- Admins can revoke an enrollment token before it expires or is used up (a leaked QR code, a cancelled rollout).
-- A revoked token enrolls nothing more; devices it already enrolled keep their own credentials.
ALTER TABLE enrollment_token ADD COLUMN revoked_at TIMESTAMPTZ NULL;
