using System.Buffers.Text;
using System.Text.Json.Nodes;

namespace Hangar.Cli.Runner;

/// <summary>
/// A claimed item's <c>secret</c>: base64url JSON <c>{sessions_token, api_base_url}</c>. The token is the
/// runner's credential for that one session (events, heartbeat, stop) while the item is live.
/// </summary>
public sealed record WorkSecret(string SessionsToken, Uri? ApiBaseUrl)
{
    public static WorkSecret Parse(string secret)
    {
        var json = JsonNode.Parse(Base64Url.DecodeFromChars(secret.TrimEnd('='))) as JsonObject
            ?? throw new InvalidDataException("The work item's secret is not a JSON object.");
        var token = (string?)json["sessions_token"] ?? throw new InvalidDataException("The work item's secret has no sessions_token.");
        var url = (string?)json["api_base_url"] is { Length: > 0 } text && Uri.TryCreate(text, UriKind.Absolute, out var parsed) ? parsed : null;
        return new WorkSecret(token, url);
    }
}
