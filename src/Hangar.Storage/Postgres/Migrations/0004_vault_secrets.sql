-- Vault credential secrets, encrypted by Hangar.Vault (AES-256-GCM; the tag ends the ciphertext).
-- key_id names the master key that sealed the row, so rotation can find rows under an old key.
-- The credential's wire JSON (resources) never holds a secret; this table never holds plaintext.
CREATE TABLE vault_secrets (
    credential_id text PRIMARY KEY REFERENCES resources (id) ON DELETE CASCADE,
    workspace_id text NOT NULL,
    vault_id text NOT NULL,
    key_id text NOT NULL,
    nonce bytea NOT NULL,
    ciphertext bytea NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX vault_secrets_key ON vault_secrets (key_id);

-- Every use of a credential by a session (no secrets): kept after the vault or credential goes.
CREATE TABLE credential_audit (
    id text PRIMARY KEY,
    workspace_id text NOT NULL,
    vault_id text,
    credential_id text,
    session_id text NOT NULL,
    server_name text NOT NULL,
    server_url text NOT NULL,
    outcome text NOT NULL,
    detail text,
    created_at timestamptz NOT NULL
);
CREATE INDEX credential_audit_vault ON credential_audit (workspace_id, vault_id, id);
