using System.Text.Json.Nodes;
using Hangar.Harness.Models;

namespace Hangar.Harness.Tests.Models;

/// <summary>Request bodies shaped like the ones context building produces.</summary>
internal static class Requests
{
    public static ModelRequest Ask(string question, string model = "claude-sonnet-4-5") => new(new JsonObject
    {
        ["model"] = model,
        ["max_tokens"] = 1024,
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = question }),
    });

    /// <summary>Fails a hung test instead of hanging the run.</summary>
    public static CancellationToken Deadline() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;
}
