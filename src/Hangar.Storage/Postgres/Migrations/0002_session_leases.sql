-- Lease and work state of sessions, on their resources row (so deleting the session deletes it).
-- lease_epoch grows with every claim and fences the harness's writes; lease_expires_at NULL means
-- nobody holds the lease. Expiry is always computed and compared with the database's clock
-- (clock_timestamp()), so workers on hosts with skewed clocks still agree.
ALTER TABLE resources
    ADD COLUMN lease_owner text,
    ADD COLUMN lease_epoch bigint NOT NULL DEFAULT 0,
    ADD COLUMN lease_expires_at timestamptz,
    ADD COLUMN has_work boolean NOT NULL DEFAULT FALSE,
    ADD COLUMN work_since timestamptz;

-- FindClaimableAsync: sessions with work, oldest first.
CREATE INDEX resources_work ON resources (work_since, id) WHERE has_work = TRUE;
