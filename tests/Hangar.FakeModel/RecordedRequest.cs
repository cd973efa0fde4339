using System.Text.Json.Nodes;

namespace Hangar.FakeModel;

/// <summary>One request the fake received, as sent.</summary>
/// <param name="Number">1-based, in arrival order; a reply's error message names it.</param>
/// <param name="Headers">Header names are case-insensitive; repeated headers are joined with ", ".</param>
/// <param name="RawBody">The body exactly as sent (UTF-8 decoded).</param>
/// <param name="Body">The body parsed, or null when it is not JSON.</param>
/// <param name="IsStreaming">The body asked for <c>"stream": true</c>.</param>
public sealed record RecordedRequest(
    int Number,
    string Method,
    string Path,
    IReadOnlyDictionary<string, string> Headers,
    string RawBody,
    JsonNode? Body,
    bool IsStreaming)
{
    /// <summary>The <c>model</c> the request named, if any.</summary>
    public string? Model => Body?["model"]?.GetValueKind() == System.Text.Json.JsonValueKind.String
        ? Body["model"]!.GetValue<string>()
        : null;

    /// <summary>The request's <c>messages</c> array (empty when absent).</summary>
    public JsonArray Messages => Body?["messages"] as JsonArray ?? [];
}
