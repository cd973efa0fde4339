CREATE TABLE workspaces (
    id text PRIMARY KEY,
    name text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL
);

CREATE TABLE api_keys (
    key_hash text PRIMARY KEY,
    workspace_id text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL
);

CREATE TABLE resources (
    id text PRIMARY KEY,
    kind text NOT NULL,
    workspace_id text NOT NULL,
    json text NOT NULL,
    revision bigint NOT NULL,
    created_at timestamptz NOT NULL,
    archived_at timestamptz,
    unique_name text,
    scope_id text,
    agent_id text,
    agent_version integer,
    status text
);
CREATE UNIQUE INDEX resources_unique_name ON resources (workspace_id, kind, unique_name) WHERE unique_name IS NOT NULL;
CREATE INDEX resources_list ON resources (workspace_id, kind, id);
CREATE INDEX resources_scope ON resources (workspace_id, scope_id) WHERE scope_id IS NOT NULL;

CREATE TABLE agent_versions (
    agent_id text NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    version integer NOT NULL,
    workspace_id text NOT NULL,
    json text NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (agent_id, version)
);

-- xact_id is the writing transaction's id (pg_current_xact_id(), as bigint): the feed only
-- returns rows whose transaction is below every still-running one, ordered by
-- (xact_id, position), so a transaction that commits late is never skipped.
CREATE TABLE session_events (
    session_id text NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    seq bigint NOT NULL,
    id text NOT NULL UNIQUE,
    type text NOT NULL,
    json text NOT NULL,
    processed_at timestamptz,
    position bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    xact_id bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    PRIMARY KEY (session_id, seq)
);
CREATE INDEX session_events_feed ON session_events (xact_id, position);

-- Events are immutable except for setting processed_at once.
CREATE FUNCTION session_events_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.session_id IS DISTINCT FROM OLD.session_id OR NEW.seq IS DISTINCT FROM OLD.seq
        OR NEW.id IS DISTINCT FROM OLD.id OR NEW.type IS DISTINCT FROM OLD.type
        OR NEW.json IS DISTINCT FROM OLD.json OR NEW.position IS DISTINCT FROM OLD.position
        OR NEW.xact_id IS DISTINCT FROM OLD.xact_id
        OR (OLD.processed_at IS NOT NULL AND NEW.processed_at IS DISTINCT FROM OLD.processed_at) THEN
        RAISE EXCEPTION 'session events are immutable';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER session_events_immutable BEFORE UPDATE ON session_events
    FOR EACH ROW EXECUTE FUNCTION session_events_immutable();

CREATE TABLE file_contents (
    file_id text PRIMARY KEY,
    workspace_id text NOT NULL,
    bytes bytea NOT NULL
);
