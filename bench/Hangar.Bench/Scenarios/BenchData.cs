using System.Globalization;
using Hangar.Contracts;
using Hangar.Storage;

namespace Hangar.Bench.Scenarios;

/// <summary>Sessions and events shaped like the real ones, written straight into a store.</summary>
public static class BenchData
{
    private const string Sentence = "The build finished; two tests failed in the storage project because the fixture was not migrated. ";

    /// <summary>Creates a workspace and <paramref name="count"/> idle session rows; returns (workspace, session ids).</summary>
    public static async Task<(string WorkspaceId, IReadOnlyList<string> SessionIds)> SessionsAsync(
        IHangarStore store, int count, CancellationToken ct)
    {
        var workspaceId = await store.Workspaces.EnsureAsync("bench", ct);
        var ids = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var id = Ids.New(Ids.Session);
            var now = DateTimeOffset.UtcNow;
            var json = $$"""{"type":"session","id":"{{id}}","metadata":{},"status":"idle","title":"bench"}""";
            await store.Resources.InsertAsync(new ResourceRecord(ResourceKind.Session, workspaceId, id, json, 1, now, null,
                Session: new SessionColumns("agent_bench", 1, "idle")), ct);
            ids.Add(id);
        }
        return (workspaceId, ids);
    }

    /// <summary>An <c>agent.message</c> in its stored wire shape, about 300 bytes of JSON.</summary>
    public static NewEvent AgentMessage()
    {
        var id = Ids.New(Ids.Event);
        var now = DateTimeOffset.UtcNow;
        var stamp = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var json = $$"""{"type":"agent.message","id":"{{id}}","content":[{"type":"text","text":"{{Sentence}}{{Sentence}}"}],"processed_at":"{{stamp}}"}""";
        return new NewEvent(id, "agent.message", json, now);
    }

    public static IReadOnlyList<NewEvent> AgentMessages(int count) => [.. Enumerable.Range(0, count).Select(_ => AgentMessage())];
}
