using System.Text.Json.Nodes;
using Hangar.Storage;

namespace Hangar.Vault;

/// <summary>
/// Every <c>github_repository</c> token in the store: the <c>_hangar.resource_tokens</c> section of each stored
/// session, read page by page for key rotation and the start-up key check.
/// </summary>
internal static class StoredResourceTokens
{
    private const int PageSize = 200;

    /// <summary>Each session row holding tokens, with its parsed JSON and the tokens object inside it.</summary>
    public static async IAsyncEnumerable<(ResourceRecord Session, JsonObject Json, JsonObject Tokens)> ReadAsync(
        IVaultStore vaults, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        string? after = null;
        while (true)
        {
            var page = await vaults.ListSessionsWithResourceTokensAsync(after, PageSize, ct);
            foreach (var session in page)
            {
                if (Parse(session) is { } parsed)
                {
                    yield return (session, parsed.Json, parsed.Tokens);
                }
            }
            if (page.Count < PageSize)
            {
                yield break;
            }
            after = page[^1].Id;
        }
    }

    public static (JsonObject Json, JsonObject Tokens)? Parse(ResourceRecord session) =>
        JsonNode.Parse(session.Json) is JsonObject json && ResourceTokens.InSession(json) is { Count: > 0 } tokens
            ? (json, tokens)
            : null;
}
