using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hangar.FakeModel;
using Hangar.Interop.Tests.Hosting;
using Hangar.Storage;

namespace Hangar.Interop.Tests;

/// <summary>
/// Issue #13's interop: the official TypeScript SDK's <c>EnvironmentWorker</c> serves a
/// self-hosted environment of Hangar. The model's bash call runs on the worker's side (in the
/// node process, which alone has the marker variable), and its result carries the turn on.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class EnvironmentWorkerTests(InteropHangar hangar, Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Bash_runs_on_the_sdk_worker_and_the_turn_ends()
    {
        using var ct = SessionFlowTests.Deadline();
        var marker = "worker-side-" + Guid.NewGuid().ToString("N")[..8];
        var script = hangar.Scripts.New(
            FakeReply.ToolUse("bash", new { command = "echo ran-on-$HANGAR_INTEROP_MARK" }),
            FakeReply.Text("Bash ran on your worker."));
        using var http = hangar.Raw();
        var environment = await PostAsync(http, "/v1/environments",
            new JsonObject { ["name"] = "interop-self-hosted", ["config"] = new JsonObject { ["type"] = "self_hosted" } }, ct.Token);
        var environmentId = (string)environment["id"]!;
        var workspace = (await hangar.Store.Resources.FindAsync(ResourceKind.Environment, environmentId, ct.Token))!.WorkspaceId;
        var (key, _) = await WorkCredentials.CreateEnvironmentKeyAsync(
            hangar.Store.EnvironmentKeys, workspace, environmentId, DateTimeOffset.UtcNow, ct.Token);
        var workdir = Directory.CreateDirectory(Path.Combine(hangar.Scratch, "worker-" + marker)).FullName;

        var env = script.Env();
        env["HANGAR_ENVIRONMENT_ID"] = environmentId;
        env["ANTHROPIC_ENVIRONMENT_KEY"] = key;
        env["HANGAR_WORKDIR"] = workdir;
        env["HANGAR_INTEROP_MARK"] = marker;
        var result = await hangar.RunAsync("worker", env, ct.Token);
        // What the SDK's worker logged (warnings name any route or shape it did not like).
        output.WriteLine(result.Stderr);

        Assert.Equal("end_turn", result.String("stop_reason"));
        Assert.Equal("Bash ran on your worker.", result.String("text"));
        Assert.Contains("user.tool_result", result.Strings("streamed"));
        var toolResult = Assert.Single(result.Json["tool_results"]!.AsArray());
        Assert.Contains("ran-on-" + marker, toolResult!.ToJsonString(), StringComparison.Ordinal);
        Assert.NotEqual(true, (bool?)toolResult["is_error"]);
        Assert.Equal("stopped", result.String("worker"));

        // Hangar's log: the call, exactly one worker result for it, then the model's answer.
        var sessionId = result.String("session_id")!;
        var log = (await http.GetFromJsonAsync<JsonObject>($"/v1/sessions/{sessionId}/events?limit=1000", ct.Token))!["data"]!.AsArray();
        var use = log.Single(e => (string?)e!["type"] == "agent.tool_use")!;
        Assert.Equal("bash", (string?)use["name"]);
        var results = log.Where(e => (string?)e!["type"] == "user.tool_result").ToList();
        Assert.Equal((string?)use["id"], (string?)Assert.Single(results)!["tool_use_id"]);
        Assert.Equal("session.status_idle", (string?)log[^1]!["type"]);
        Assert.Equal(result.Strings("history"), log.Select(e => (string)e!["type"]!));
        // The model saw the worker's output, which only the node process could have produced.
        Assert.Contains("ran-on-" + marker, script.Requests[^1].Messages[^1]!.ToJsonString(), StringComparison.Ordinal);
    }

    private static async Task<JsonObject> PostAsync(HttpClient http, string path, JsonObject body, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync(path, body, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.IsSuccessStatusCode, $"POST {path} → {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }
}
