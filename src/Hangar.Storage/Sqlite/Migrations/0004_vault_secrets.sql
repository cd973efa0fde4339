-- Vault credential secrets, encrypted by Hangar.Vault (AES-256-GCM; the tag ends the ciphertext).
-- key_id names the master key that sealed the row, so rotation can find rows under an old key.
-- The credential's wire JSON (resources) never holds a secret; this table never holds plaintext.
CREATE TABLE vault_secrets (
    credential_id TEXT PRIMARY KEY REFERENCES resources (id) ON DELETE CASCADE,
    workspace_id TEXT NOT NULL,
    vault_id TEXT NOT NULL,
    key_id TEXT NOT NULL,
    nonce BLOB NOT NULL,
    ciphertext BLOB NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX vault_secrets_key ON vault_secrets (key_id);

-- Every use of a credential by a session (no secrets): kept after the vault or credential goes.
CREATE TABLE credential_audit (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    vault_id TEXT,
    credential_id TEXT,
    session_id TEXT NOT NULL,
    server_name TEXT NOT NULL,
    server_url TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX credential_audit_vault ON credential_audit (workspace_id, vault_id, id);
