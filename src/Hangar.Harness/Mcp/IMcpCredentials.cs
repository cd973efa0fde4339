namespace Hangar.Harness.Mcp;

/// <summary>
/// Where the harness gets the credential for an MCP server: the session's vaults (Hangar.Vault).
/// Tokens are used host-side only (never sent into a sandbox, never logged, never put in an event).
/// </summary>
public interface IMcpCredentials
{
    /// <summary>
    /// The bearer token for <paramref name="request"/>'s server from the first of the session's vaults
    /// holding a credential for that server URL (refreshed first when it is an expired OAuth token;
    /// the refreshed token is stored back encrypted), or null when no vault has one. Records the use
    /// in the audit log. Throws <see cref="McpCredentialException"/> when a credential exists but
    /// can't be used (vault archived, refresh failed).
    /// </summary>
    Task<McpToken?> GetTokenAsync(McpCredentialRequest request, CancellationToken ct);
}

public sealed record McpCredentialRequest(string WorkspaceId, string SessionId, IReadOnlyList<string> VaultIds, string ServerName, string ServerUrl);

/// <summary>A usable token. <see cref="ToString"/> never shows the secret.</summary>
public sealed record McpToken(string AccessToken, string VaultId, string CredentialId)
{
    public override string ToString() => $"McpToken({VaultId}/{CredentialId})";
}

/// <summary>A credential exists but can't be used; <see cref="ErrorType"/> is the session.error type to report.</summary>
public sealed class McpCredentialException(string message, string errorType = "mcp_authentication_failed_error") : Exception(message)
{
    public string ErrorType { get; } = errorType;
}
