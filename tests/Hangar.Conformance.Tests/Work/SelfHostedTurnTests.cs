using System.Buffers.Text;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Anthropic.Models.Beta.Environments;
using Hangar.Conformance.Tests.Harness;
using Hangar.Conformance.Tests.Hosting;
using Hangar.FakeModel;
using Hangar.Storage;

namespace Hangar.Conformance.Tests.Work;

/// <summary>
/// A self-hosted session end to end: the harness runs the model, the built-in tool call goes to a
/// worker over the work protocol (played here with plain HTTP, as the SDK workers speak it), and
/// the worker's <c>user.tool_result</c> carries the turn on to its end. On both databases.
/// </summary>
[Collection(WorkingHangarCollection.Name)]
public sealed class SelfHostedTurnTests(WorkingHangars servers)
{
    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task A_bash_call_runs_on_the_worker_and_its_user_tool_result_finishes_the_turn(StoreKind store)
    {
        var ct = Timeouts.Test();
        var hangar = await servers.For(store);
        var client = hangar.Server.Client();
        var script = hangar.Scripts.New().Then(
            FakeReply.ToolUse("bash", new { command = "hostname" }),
            FakeReply.Text("Your worker is gpu-1."));
        var agent = await client.Beta.Agents.Create(new()
        {
            Name = Arrange.Name("agent"),
            Model = Anthropic.Models.Beta.Agents.BetaManagedAgentsModel.ClaudeSonnet4_6,
            System = script.SystemPrompt,
            Tools = [Turns.Toolset()],
        }, ct);
        var environment = await client.Beta.Environments.Create(
            new EnvironmentCreateParams { Name = Arrange.Name("self"), Config = new BetaSelfHostedConfigParams() }, ct);
        var session = await client.SessionAsync(agent.ID, environment.ID, ct);
        var (key, _) = await WorkCredentials.CreateEnvironmentKeyAsync(
            hangar.Server.Store.EnvironmentKeys, (await hangar.Server.Store.Resources.FindAsync(ResourceKind.Environment, environment.ID, ct))!.WorkspaceId,
            environment.ID, DateTimeOffset.UtcNow, ct);
        using var worker = Bearer(hangar.Server.BaseUrl, key);

        await client.SendAsync(session.ID, ct, Turns.Message("which host am I on?"));
        var work = await PollUntilClaimedAsync(worker, environment.ID, ct);
        Assert.Equal(session.ID, (string?)work["data"]!["id"]);
        var workId = (string)work["id"]!;
        (await worker.PostAsync($"/v1/environments/{environment.ID}/work/{workId}/ack", null, ct)).EnsureSuccessStatusCode();
        var secret = JsonNode.Parse(Base64Url.DecodeFromChars((string)work["secret"]!))!;
        using var token = Bearer(hangar.Server.BaseUrl, (string)secret["sessions_token"]!);
        (await token.PostAsync($"/v1/environments/{environment.ID}/work/{workId}/heartbeat?expected_last_heartbeat=NO_HEARTBEAT", null, ct)).EnsureSuccessStatusCode();

        // The call waits for the worker with the session running; Hangar runs nothing itself.
        var use = await WaitForEventAsync(token, session.ID, "agent.tool_use", ct);
        Assert.Equal("bash", (string?)use["name"]);
        Assert.Equal("allow", (string?)use["evaluated_permission"]);
        var status = await token.GetFromJsonAsync<JsonObject>($"/v1/sessions/{session.ID}", ct);
        Assert.Equal("running", (string?)status!["status"]);

        var unknown = await SendResultAsync(token, session.ID, "sevt_011CZkZGOp0iBcp4kaQSihUm", ct);
        Assert.Equal(400, (int)unknown.StatusCode);
        var posted = await SendResultAsync(token, session.ID, (string)use["id"]!, ct);
        Assert.Equal(200, (int)posted.StatusCode);
        var twice = await SendResultAsync(token, session.ID, (string)use["id"]!, ct);
        Assert.Equal(400, (int)twice.StatusCode);

        var events = await client.WaitForIdleAsync(session.ID, ct);
        Assert.Equal(
            ["user.message", "session.status_running",
             "span.model_request_start", "agent.tool_use", "span.model_request_end", "user.tool_result",
             "span.model_request_start", "agent.message", "span.model_request_end",
             "session.usage", "session.status_idle"],
            Turns.Types(events));
        Assert.All(events, e => Assert.True(e.ProcessedAt.HasValue, $"{e.Type.Raw()} has no processed_at"));
        Assert.Contains("gpu-1", script.Requests[1].Messages[^1]!.ToJsonString());

        var stopped = await token.PostAsync($"/v1/environments/{environment.ID}/work/{workId}/stop",
            JsonContent.Create(new { force = true }), ct);
        stopped.EnsureSuccessStatusCode();
    }

    private static async Task<JsonObject> PollUntilClaimedAsync(HttpClient worker, string environmentId, CancellationToken ct)
    {
        while (true)
        {
            var text = await worker.GetStringAsync($"/v1/environments/{environmentId}/work/poll?block_ms=999", ct);
            if (JsonNode.Parse(text) is JsonObject work)
            {
                return work;
            }
        }
    }

    private static async Task<JsonObject> WaitForEventAsync(HttpClient client, string sessionId, string type, CancellationToken ct)
    {
        while (true)
        {
            var page = await client.GetFromJsonAsync<JsonObject>($"/v1/sessions/{sessionId}/events?limit=1000", ct);
            if (page!["data"]!.AsArray().FirstOrDefault(e => (string?)e!["type"] == type) is JsonObject found)
            {
                return found;
            }
            await Task.Delay(20, ct);
        }
    }

    private static Task<HttpResponseMessage> SendResultAsync(HttpClient client, string sessionId, string useId, CancellationToken ct) =>
        client.PostAsync($"/v1/sessions/{sessionId}/events", JsonContent.Create(JsonNode.Parse($$"""
            {"events":[{"type":"user.tool_result","tool_use_id":"{{useId}}","content":[{"type":"text","text":"gpu-1"}],"is_error":false}]}
            """)), ct);

    private static HttpClient Bearer(Uri baseUrl, string credential)
    {
        var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", credential);
        http.DefaultRequestHeaders.Add("anthropic-beta", "managed-agents-2026-04-01");
        return http;
    }
}
