-- The presence key of a lease's owner (issue 14): the second key of the session-level advisory
-- lock its process holds on its LISTEN connection. PostgreSQL frees that lock when the owner's
-- backend ends, so a claimer can take the lease of a dead owner before lease_expires_at.
-- NULL: the owner had no presence lock when it claimed or renewed; the TTL alone decides.
ALTER TABLE resources ADD COLUMN lease_presence integer;

-- The session's event head (its last seq), on its row: an append bumps it with the same UPDATE that
-- locks the row, so one statement numbers and inserts a batch (issue 14: one round trip per append).
-- An UPDATE that waited for the lock re-reads the newest row, where MAX(seq) in the same statement
-- would still read the snapshot from before the wait.
ALTER TABLE resources ADD COLUMN event_head bigint NOT NULL DEFAULT 0;
UPDATE resources r SET event_head = e.last
    FROM (SELECT session_id, MAX(seq) AS last FROM session_events GROUP BY session_id) e
    WHERE r.kind = 'session' AND r.id = e.session_id;
