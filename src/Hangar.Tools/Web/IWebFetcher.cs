using System.Text.Json.Nodes;

namespace Hangar.Tools;

/// <summary>
/// Runs <c>web_fetch</c> on the HOST side, like the hosted service's server tool: it ignores the
/// environment's networking (behaviour.md §4) and never touches the sandbox. Implementations honour
/// the agent's web_fetch config and refuse private/loopback/metadata addresses.
/// </summary>
public interface IWebFetcher
{
    /// <summary>
    /// Fetches <c>input.url</c>. Failures (a disallowed URL: text starting <c>url_not_allowed</c>; HTTP
    /// errors, timeouts, unsupported content) are error results, not exceptions.
    /// </summary>
    Task<ToolResult> FetchAsync(JsonObject input, WebToolConfig config, CancellationToken ct);
}

/// <summary>
/// Runs <c>web_search</c>. No provider ships with Hangar; without one the tool answers with
/// <see cref="WebSearch.NotConfiguredMessage"/>.
/// </summary>
public interface IWebSearchProvider
{
    Task<ToolResult> SearchAsync(JsonObject input, WebToolConfig config, CancellationToken ct);
}

public static class WebSearch
{
    public const string NotConfiguredMessage =
        "web_search is not configured on this Hangar server (set an IWebSearchProvider in the worker settings: " +
        "WorkerSettings.WebSearch). The agent can use web_fetch on a URL it knows instead.";
}

/// <summary>
/// The agent's per-tool settings of <c>web_fetch</c>/<c>web_search</c> (its <c>agent_toolset_20260401</c>
/// <c>configs[]</c> entry): <c>allowed_domains</c> xor <c>blocked_domains</c> (plain hostnames, subdomains
/// covered) and, for web_fetch, <c>max_content_tokens</c>.
/// </summary>
public sealed record WebToolConfig(IReadOnlyList<string>? AllowedDomains, IReadOnlyList<string>? BlockedDomains, int? MaxContentTokens)
{
    public static readonly WebToolConfig Default = new(null, null, null);

    /// <summary>The config of tool <paramref name="name"/> in the session's agent snapshot.</summary>
    public static WebToolConfig FromAgent(JsonObject agent, string name)
    {
        var entry = (agent["tools"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(t => (string?)t["type"] == "agent_toolset_20260401")
            .SelectMany(t => (t["configs"] as JsonArray ?? []).OfType<JsonObject>())
            .FirstOrDefault(c => (string?)c["name"] == name);
        if (entry is null)
            return Default;
        return new WebToolConfig(Strings(entry["allowed_domains"]), Strings(entry["blocked_domains"]), (int?)entry["max_content_tokens"]);
    }

    private static List<string>? Strings(JsonNode? node) =>
        node is JsonArray array ? [.. array.Select(n => (string?)n).OfType<string>()] : null;
}
