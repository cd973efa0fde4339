using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Storage;

namespace Hangar.Server.Tests.Work;

/// <summary>
/// Two workers answering the same tool call at the same instant (a lease that lapsed while the
/// first was still running it): exactly one result is appended, the other gets 400 and writes
/// nothing. Real concurrent HTTP posts, on both databases.
/// </summary>
public abstract class ToolResultRaceTests(ServerFixture server)
{
    private const int Calls = 12;
    private const int PostersPerCall = 3;

    [Fact]
    public async Task Concurrent_results_for_one_call_append_exactly_one()
    {
        var seed = await WorkSeed.CreateAsync(server);
        var session = await seed.QueuedSessionAsync();
        var uses = await AppendToolUsesAsync(session);
        // Both kinds of caller a result can come from: the worker's environment key (once it
        // claimed the session's work) and an API key.
        Assert.NotNull(await seed.PollAsync());
        HttpClient[] callers = [seed.Worker, server.Client];

        using var start = new Barrier(uses.Count * PostersPerCall);
        var posts = uses.SelectMany(use => Enumerable.Range(0, PostersPerCall).Select(worker => Task.Run(async () =>
        {
            start.SignalAndWait();
            var (status, body) = await ServerFixture.SendAsync(callers[worker % callers.Length], HttpMethod.Post, $"/v1/sessions/{session}/events",
                $$"""{"events":[{"type":"user.tool_result","tool_use_id":"{{use}}","content":[{"type":"text","text":"worker {{worker}}"}],"is_error":false}]}""");
            return (Use: use, Status: status, Body: body);
        }))).ToList();
        var answers = await Task.WhenAll(posts);

        foreach (var group in answers.GroupBy(a => a.Use))
        {
            Assert.Equal(1, group.Count(a => a.Status == 200));
            Assert.All(group.Where(a => a.Status != 200), a =>
            {
                Assert.Equal(400, a.Status);
                Assert.Equal("invalid_request_error", (string?)a.Body?["error"]?["type"]);
            });
        }
        var results = await ResultsAsync(session);
        Assert.Equal(uses.Order(), results.Order());
    }

    [Fact]
    public async Task A_request_with_a_fresh_and_an_answered_result_appends_neither()
    {
        var seed = await WorkSeed.CreateAsync(server);
        var session = await seed.QueuedSessionAsync();
        var uses = await AppendToolUsesAsync(session, 2);
        await server.OkAsync(HttpMethod.Post, $"/v1/sessions/{session}/events", Result(uses[0]));

        var (status, _) = await ServerFixture.SendAsync(server.Client, HttpMethod.Post, $"/v1/sessions/{session}/events",
            $$"""{"events":[{{Event(uses[1])}},{{Event(uses[0])}}]}""");
        Assert.Equal(400, status);
        Assert.Equal([uses[0]], await ResultsAsync(session));
    }

    private static string Event(string use) =>
        $$"""{"type":"user.tool_result","tool_use_id":"{{use}}","content":[{"type":"text","text":"ok"}]}""";

    private static string Result(string use) => $$"""{"events":[{{Event(use)}}]}""";

    /// <summary>Tool calls as the harness logs them for a self-hosted session's worker.</summary>
    private async Task<List<string>> AppendToolUsesAsync(string session, int count = Calls)
    {
        var now = server.Clock.GetUtcNow();
        var uses = Enumerable.Range(0, count).Select(i => new NewEvent(Ids.New("sevt_", now), "agent.tool_use",
            new JsonObject { ["type"] = "agent.tool_use", ["name"] = "bash", ["input"] = new JsonObject { ["command"] = $"echo {i}" } }.ToJsonString(),
            now)).ToList();
        foreach (var use in uses)
        {
            var json = JsonNode.Parse(use.Json)!.AsObject();
            json["id"] = use.Id;
            await server.Store.Events.AppendAsync(server.WorkspaceId, session, [use with { Json = json.ToJsonString() }], CancellationToken.None);
        }
        return [.. uses.Select(u => u.Id)];
    }

    private async Task<List<string>> ResultsAsync(string session)
    {
        var page = await server.OkAsync(HttpMethod.Get, $"/v1/sessions/{session}/events?limit=1000&types[]=user.tool_result");
        return [.. page["data"]!.AsArray().Select(e => (string)e!["tool_use_id"]!)];
    }
}

public sealed class SqliteToolResultRaceTests(ServerFixture server) : ToolResultRaceTests(server), IClassFixture<ServerFixture>;

public sealed class PostgresToolResultRaceTests(PostgresServerFixture server) : ToolResultRaceTests(server), IClassFixture<PostgresServerFixture>;
