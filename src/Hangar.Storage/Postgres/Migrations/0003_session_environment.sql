-- A session's environment (from its JSON's environment_id), so an environment still used by
-- sessions can be found and refused deletion. Existing sessions are backfilled from their JSON.
ALTER TABLE resources ADD COLUMN environment_id text;
UPDATE resources SET environment_id = json::jsonb ->> 'environment_id' WHERE kind = 'session';
CREATE INDEX resources_environment ON resources (workspace_id, environment_id) WHERE environment_id IS NOT NULL;
