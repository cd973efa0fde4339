-- Timestamps are INTEGER microseconds since the Unix epoch (UTC), exact like PostgreSQL's timestamptz.
CREATE TABLE workspaces (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE api_keys (
    key_hash TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
);

CREATE TABLE resources (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    workspace_id TEXT NOT NULL,
    json TEXT NOT NULL,
    revision INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    archived_at INTEGER,
    unique_name TEXT,
    scope_id TEXT,
    agent_id TEXT,
    agent_version INTEGER,
    status TEXT
);
CREATE UNIQUE INDEX resources_unique_name ON resources (workspace_id, kind, unique_name) WHERE unique_name IS NOT NULL;
CREATE INDEX resources_list ON resources (workspace_id, kind, id);
CREATE INDEX resources_scope ON resources (workspace_id, scope_id) WHERE scope_id IS NOT NULL;

CREATE TABLE agent_versions (
    agent_id TEXT NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    workspace_id TEXT NOT NULL,
    json TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (agent_id, version)
);

-- position is the store-wide feed order; AUTOINCREMENT never reuses a position after deletes,
-- so a feed cursor never skips a later event.
CREATE TABLE session_events (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    json TEXT NOT NULL,
    processed_at INTEGER,
    UNIQUE (session_id, seq)
);

-- Events are immutable except for setting processed_at once.
CREATE TRIGGER session_events_immutable BEFORE UPDATE ON session_events
WHEN NEW.session_id IS NOT OLD.session_id OR NEW.seq IS NOT OLD.seq OR NEW.id IS NOT OLD.id
    OR NEW.type IS NOT OLD.type OR NEW.json IS NOT OLD.json OR NEW.position IS NOT OLD.position
    OR (OLD.processed_at IS NOT NULL AND NEW.processed_at IS NOT OLD.processed_at)
BEGIN
    SELECT RAISE(ABORT, 'session events are immutable');
END;

CREATE TABLE file_contents (
    file_id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    bytes BLOB NOT NULL
);
