using System.Text.Json.Nodes;
using Hangar.Storage;
using Hangar.Tools;

namespace Hangar.Harness.Turns;

/// <summary>
/// The session's <c>github_repository</c> resources as sandbox repositories, each with its authorization token
/// from the stored session's private <c>_hangar.resource_tokens</c> (never part of any response or event).
/// </summary>
public static class SessionRepositories
{
    public static IReadOnlyList<SandboxRepository> Of(ResourceRecord? session, Func<string, string, JsonNode, string>? openToken)
    {
        if (session is null || JsonNode.Parse(session.Json) is not JsonObject json || json["resources"] is not JsonArray resources)
        {
            return [];
        }
        var tokens = json["_hangar"]?["resource_tokens"] as JsonObject;
        return [.. resources.OfType<JsonObject>()
            .Where(r => (string?)r["type"] == "github_repository" && r["id"] is JsonValue && r["url"] is JsonValue)
            .Select(r =>
            {
                var id = (string)r["id"]!;
                var checkout = r["checkout"] as JsonObject;
                var wanted = (string?)checkout?["type"] switch
                {
                    "branch" => new RepositoryCheckout("branch", (string)checkout!["name"]!),
                    "commit" => new RepositoryCheckout("commit", (string)checkout!["sha"]!),
                    _ => null,
                };
                return new SandboxRepository(id, (string)r["url"]!, (string?)r["mount_path"] ?? "/workspace/" + RepositoryName((string)r["url"]!),
                    wanted, tokens?[id] is { } stored ? Open(session.Id, id, stored, openToken) : null);
            })];
    }

    private static string Open(string sessionId, string resourceId, JsonNode stored, Func<string, string, JsonNode, string>? openToken)
    {
        try
        {
            return openToken is not null ? openToken(sessionId, resourceId, stored)
                : stored is JsonValue plain ? (string)plain! : throw new InvalidOperationException("no master key to open it");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new SandboxProvisioningException($"The authorization token of repository resource {resourceId} could not be read: {e.Message}");
        }
    }

    private static string RepositoryName(string url) =>
        url.TrimEnd('/').Split('/')[^1] is var last && last.EndsWith(".git", StringComparison.Ordinal) ? last[..^4] : url.TrimEnd('/').Split('/')[^1];
}
