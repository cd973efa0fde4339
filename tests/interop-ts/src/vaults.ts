// Flow (d): a vault and its credentials through the SDK: create, list (auto-paging), archive.
import { client, report } from './common.js';

const anthropic = client();
const vault = await anthropic.beta.vaults.create({ display_name: `interop-${Date.now()}`, metadata: { team: 'interop' } });
const bearer = await anthropic.beta.vaults.credentials.create(vault.id, {
  display_name: 'docs server',
  auth: { type: 'static_bearer', token: 'tok-interop-secret', mcp_server_url: 'https://mcp.example.com/sse' },
});
const second = await anthropic.beta.vaults.credentials.create(vault.id, {
  display_name: 'wiki server',
  auth: { type: 'static_bearer', token: 'tok-interop-other', mcp_server_url: 'https://wiki.example.com/mcp' },
});

const credentials: string[] = [];
for await (const credential of anthropic.beta.vaults.credentials.list(vault.id, { limit: 1 })) credentials.push(credential.id);
const vaults: string[] = [];
for await (const v of anthropic.beta.vaults.list({ limit: 100 })) vaults.push(v.id);

const archivedCredential = await anthropic.beta.vaults.credentials.archive(bearer.id, { vault_id: vault.id });
const retrieved = await anthropic.beta.vaults.credentials.retrieve(second.id, { vault_id: vault.id });
const archivedVault = await anthropic.beta.vaults.archive(vault.id);

report({
  vault_id: vault.id,
  vault_metadata: vault.metadata,
  credential_ids: [bearer.id, second.id],
  credential_auth_type: bearer.auth.type,
  credential_json: JSON.stringify(bearer),
  listed_credentials: credentials,
  vault_listed: vaults.includes(vault.id),
  credential_archived_at: archivedCredential.archived_at,
  second_display_name: retrieved.display_name,
  vault_archived_at: archivedVault.archived_at,
});
