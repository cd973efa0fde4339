using System.Net;
using System.Text.Json.Nodes;
using Hangar.Testing;
using Xunit;

namespace Hangar.Cli.Tests;

public sealed class KeysCommandTests
{
    [Fact]
    public async Task A_created_key_authenticates_and_sees_only_its_own_workspace()
    {
        using var data = new TempDirectory();
        var alpha = await CreateKeyAsync("alpha", data.Path);
        var beta = await CreateKeyAsync("beta", data.Path);
        Assert.NotEqual(alpha, beta);

        await using var server = await RunningServer.StartAsync(["--data", data.Path], probeKey: alpha);
        using var alphaHttp = server.Client(alpha);
        using var betaHttp = server.Client(beta);

        var agent = (await alphaHttp.PostAsync("/v1/agents", new JsonObject { ["name"] = "private", ["model"] = "claude-sonnet-4-5" }))["id"]!.GetValue<string>();
        Assert.Equal(agent, (await alphaHttp.GetJsonAsync($"/v1/agents/{agent}"))["id"]!.GetValue<string>());

        using var fromBeta = await betaHttp.GetAsync($"/v1/agents/{agent}");
        Assert.Equal(HttpStatusCode.NotFound, fromBeta.StatusCode);
        var betaList = await betaHttp.GetJsonAsync("/v1/agents");
        Assert.DoesNotContain(betaList["data"]!.AsArray(), a => a!["id"]!.GetValue<string>() == agent);

        using var unknown = server.Client("hgr_not-a-key");
        using var rejected = await unknown.GetAsync("/v1/agents");
        Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);

        // The CLI reports the API's error type on stderr and fails.
        var (exit, stdout, stderr) = await HangarProcess.RunAsync(["agents", "get", agent, "--url", server.Url.ToString(), "--api-key", beta]);
        Assert.NotEqual(0, exit);
        Assert.Contains("not_found_error", stderr);
        Assert.Equal("", stdout.Trim());
    }

    /// <summary>Runs <c>hangar keys create</c>; its stdout must be exactly the key.</summary>
    private static async Task<string> CreateKeyAsync(string workspace, string dataDirectory)
    {
        var (exit, stdout, stderr) = await HangarProcess.RunAsync(["keys", "create", "--workspace", workspace, "--data", dataDirectory]);
        Assert.True(exit == 0, $"keys create failed ({exit}): {stderr}");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var key = Assert.Single(lines);
        Assert.StartsWith("hgr_", key);
        return key;
    }
}
