using System.Text;
using System.Text.Json;
using Hangar.Conformance.Tests.Hosting;


namespace Hangar.Conformance.Tests.Harness.Vaults;

/// <summary>
/// Looks for every remembered secret's bytes everywhere a user or operator could see them: each session's
/// events (raw JSON via the SDK), every API response received, the server's console logs, the SQLite files,
/// each vault's audit list and the sandbox workspaces. Zero hits allowed.
/// </summary>
public static class SecretSweep
{
    private const string DatabaseFile = "hangar.db";

    public sealed record Place(string Where, byte[] Bytes);

    public static async Task<List<Place>> AssertNoSecretAsync(VaultHangar hangar, CancellationToken ct)
    {
        var places = new List<Place>();
        foreach (var (client, sessionId) in hangar.Sessions)
        {
            foreach (var e in await client.LogAsync(sessionId, ct))
            {
                places.Add(Text($"event {Turns.TypeOf(e)} {e.ID} of {sessionId}", e.Json.GetRawText()));
            }
        }
        using var raw = hangar.Raw();
        foreach (var vaultId in hangar.Vaults)
        {
            var audit = await raw.GetJsonAsync($"/v1/vaults/{vaultId}/audit?limit=100", ct);
            Assert.Equal(200, audit.Status);
            places.Add(Text($"audit list of {vaultId}", audit.Body.GetRawText()));
        }
        // Snapshot after the calls above so their responses are swept too.
        places.AddRange(hangar.Responses.Select((body, i) => Text($"API response #{i}: {body.Split('\n')[0]}", body)));
        places.Add(Text("server logs (console)", ConsoleCapture.Text));
        foreach (var file in Directory.EnumerateFiles(hangar.DataDirectory, DatabaseFile + "*"))
        {
            places.Add(new Place($"SQLite file {Path.GetFileName(file)}", ReadShared(file)));
        }
        if (Directory.Exists(hangar.Workspaces))
        {
            foreach (var file in Directory.EnumerateFiles(hangar.Workspaces, "*", SearchOption.AllDirectories))
            {
                places.Add(new Place($"sandbox file {Path.GetRelativePath(hangar.Workspaces, file)}", ReadShared(file)));
            }
        }

        var hits = (from secret in hangar.Secrets
                    from place in places
                    where Contains(place, secret.Key)
                    select $"{secret.Value} in {place.Where}").ToList();
        Assert.True(hits.Count == 0, "secrets leaked:\n" + string.Join("\n", hits));
        // The sweep must see what the server really produced, or zero hits proves nothing.
        Assert.Contains(places, p => p.Where.StartsWith("event agent.mcp_tool_result", StringComparison.Ordinal));
        Assert.Contains(places, p => p.Where.StartsWith("SQLite file", StringComparison.Ordinal) && Contains(p, hangar.Vaults.First()));
        Assert.Contains(places, p => p.Where == "server logs (console)" && Contains(p, hangar.Server.BaseUrl.Authority));
        return places;
    }

    /// <summary>The audit entries of a vault (Hangar's <c>GET /v1/vaults/{id}/audit</c>).</summary>
    public static async Task<List<JsonElement>> AuditAsync(VaultHangar hangar, string vaultId, CancellationToken ct)
    {
        using var raw = hangar.Raw();
        var audit = await raw.GetJsonAsync($"/v1/vaults/{vaultId}/audit?limit=100", ct);
        Assert.Equal(200, audit.Status);
        return [.. audit.Body.Required("data").EnumerateArray()];
    }

    private static bool Contains(Place place, string text) => place.Bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    private static Place Text(string where, string text) => new(where, Encoding.UTF8.GetBytes(text));

    // The server still has the database open; share so the read doesn't disturb it.
    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
