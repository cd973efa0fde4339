-- The presence key of a lease's owner (issue 14): the second key of the session-level advisory
-- lock its process holds on its LISTEN connection. PostgreSQL frees that lock when the owner's
-- backend ends, so a claimer can take the lease of a dead owner before lease_expires_at.
-- NULL: the owner had no presence lock when it claimed or renewed; the TTL alone decides.
ALTER TABLE resources ADD COLUMN lease_presence integer;
