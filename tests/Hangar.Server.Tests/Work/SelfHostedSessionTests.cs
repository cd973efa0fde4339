using Hangar.Server.Tests.Sessions;

namespace Hangar.Server.Tests.Work;

/// <summary>Session rules of self_hosted environments: no mounted resources (Hangar cannot reach the worker's disk).</summary>
public class SelfHostedSessionTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task File_and_repository_resources_are_refused_at_create_and_add()
    {
        var seed = await WorkSeed.CreateAsync(server);
        var file = await SessionSeed.FileAsync(server.Store, server.WorkspaceId);
        var (created, body) = await ServerFixture.SendAsync(server.Client, HttpMethod.Post, "/v1/sessions",
            $$"""{"agent":"{{seed.AgentId}}","environment_id":"{{seed.EnvironmentId}}","resources":[{"type":"file","file_id":"{{file}}"}]}""");
        Assert.Equal(400, created);
        Assert.Contains("self_hosted", (string?)body?["error"]?["message"]);

        var session = await seed.QueuedSessionAsync();
        var (added, _) = await ServerFixture.SendAsync(server.Client, HttpMethod.Post, $"/v1/sessions/{session}/resources",
            """{"type":"github_repository","url":"https://github.com/o/r"}""");
        Assert.Equal(400, added);
    }

    [Fact]
    public async Task A_tool_result_for_an_unknown_call_is_400_and_appends_nothing()
    {
        var seed = await WorkSeed.CreateAsync(server);
        var session = await seed.QueuedSessionAsync();
        var (status, _) = await ServerFixture.SendAsync(server.Client, HttpMethod.Post, $"/v1/sessions/{session}/events",
            """{"events":[{"type":"user.tool_result","tool_use_id":"sevt_011CZkZGOp0iBcp4kaQSihUm","content":[]}]}""");
        Assert.Equal(400, status);
        var events = await server.OkAsync(HttpMethod.Get, $"/v1/sessions/{session}/events");
        Assert.Empty(events["data"]!.AsArray());
    }
}
