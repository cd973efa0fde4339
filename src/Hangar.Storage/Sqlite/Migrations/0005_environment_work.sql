-- (Times are microseconds since the Unix epoch.) Self-hosted environments (api.md §12). Environment keys are stored only as SHA-256 hashes,
-- like API keys; a revoked key keeps its row (revoked_at) so `env-keys list` can show it.
CREATE TABLE environment_keys (
    id TEXT PRIMARY KEY,
    key_hash TEXT NOT NULL UNIQUE,
    workspace_id TEXT NOT NULL,
    environment_id TEXT NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX environment_keys_environment ON environment_keys (environment_id, id);

-- The work queue: one row per residency of a session on a worker. token_hash is the hash of
-- the sessions token handed out with the latest claim (a new claim replaces it, which fences the
-- previous holder out of the session's routes). lease_expires_at is when an acknowledged item
-- goes back to the queue unless a heartbeat extends it.
CREATE TABLE work_items (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    environment_id TEXT NOT NULL,
    session_id TEXT NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    metadata TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    claimed_at INTEGER,
    claimed_by TEXT,
    claimed_key_id TEXT,
    token_hash TEXT,
    acknowledged_at INTEGER,
    started_at INTEGER,
    latest_heartbeat_at INTEGER,
    lease_expires_at INTEGER,
    ttl_seconds INTEGER NOT NULL,
    stop_requested_at INTEGER,
    stopped_at INTEGER
);
-- At most one live item per session: enqueueing again while one is live is a no-op.
CREATE UNIQUE INDEX work_items_live ON work_items (session_id) WHERE state IN ('queued', 'starting', 'active');
CREATE INDEX work_items_queue ON work_items (environment_id, created_at, id) WHERE state <> 'stopped';
CREATE INDEX work_items_list ON work_items (environment_id, id);
CREATE UNIQUE INDEX work_items_token ON work_items (token_hash) WHERE token_hash IS NOT NULL;
CREATE INDEX work_items_claimer ON work_items (claimed_key_id, session_id) WHERE claimed_key_id IS NOT NULL;

-- Who polled when, for work_queue_stats.workers_polling (polled in the last 30 s).
CREATE TABLE work_pollers (
    environment_id TEXT NOT NULL,
    worker_id TEXT NOT NULL,
    last_poll_at INTEGER NOT NULL,
    PRIMARY KEY (environment_id, worker_id)
);
