-- Lease and work state of sessions, on their resources row (so deleting the session deletes it).
-- lease_epoch grows with every claim and fences the harness's writes; lease_expires_at NULL means
-- nobody holds the lease. Times are microseconds since the Unix epoch from the process clock
-- (SQLite is single-host, so every worker shares that clock).
ALTER TABLE resources ADD COLUMN lease_owner TEXT;
ALTER TABLE resources ADD COLUMN lease_epoch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE resources ADD COLUMN lease_expires_at INTEGER;
ALTER TABLE resources ADD COLUMN has_work INTEGER NOT NULL DEFAULT FALSE;
ALTER TABLE resources ADD COLUMN work_since INTEGER;

-- FindClaimableAsync: sessions with work, oldest first.
CREATE INDEX resources_work ON resources (work_since, id) WHERE has_work = TRUE;
