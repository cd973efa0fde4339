-- Self-hosted environments (api.md §12). Environment keys are stored only as SHA-256 hashes,
-- like API keys; a revoked key keeps its row (revoked_at) so `env-keys list` can show it.
CREATE TABLE environment_keys (
    id text PRIMARY KEY,
    key_hash text NOT NULL UNIQUE,
    workspace_id text NOT NULL,
    environment_id text NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX environment_keys_environment ON environment_keys (environment_id, id);

-- The work queue: one row per residency of a session on a worker. token_hash is the hash of
-- the sessions token handed out with the latest claim (a new claim replaces it, which fences the
-- previous holder out of the session's routes). lease_expires_at is when an acknowledged item
-- goes back to the queue unless a heartbeat extends it.
CREATE TABLE work_items (
    id text PRIMARY KEY,
    workspace_id text NOT NULL,
    environment_id text NOT NULL,
    session_id text NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    state text NOT NULL,
    metadata text NOT NULL,
    created_at timestamptz NOT NULL,
    claimed_at timestamptz,
    claimed_by text,
    claimed_key_id text,
    token_hash text,
    acknowledged_at timestamptz,
    started_at timestamptz,
    latest_heartbeat_at timestamptz,
    lease_expires_at timestamptz,
    ttl_seconds integer NOT NULL,
    stop_requested_at timestamptz,
    stopped_at timestamptz
);
-- At most one live item per session: enqueueing again while one is live is a no-op.
CREATE UNIQUE INDEX work_items_live ON work_items (session_id) WHERE state IN ('queued', 'starting', 'active');
CREATE INDEX work_items_queue ON work_items (environment_id, created_at, id) WHERE state <> 'stopped';
CREATE INDEX work_items_list ON work_items (environment_id, id);
CREATE UNIQUE INDEX work_items_token ON work_items (token_hash) WHERE token_hash IS NOT NULL;
CREATE INDEX work_items_claimer ON work_items (claimed_key_id, session_id) WHERE claimed_key_id IS NOT NULL;

-- Who polled when, for work_queue_stats.workers_polling (polled in the last 30 s).
CREATE TABLE work_pollers (
    environment_id text NOT NULL,
    worker_id text NOT NULL,
    last_poll_at timestamptz NOT NULL,
    PRIMARY KEY (environment_id, worker_id)
);
