using Anthropic;
using Anthropic.Models.Beta.Sessions.Events;
using Anthropic.Models.Beta.Vaults;
using Anthropic.Models.Beta.Vaults.Credentials;
using Hangar.Conformance.Tests.Hosting;
using Hangar.FakeModel;

namespace Hangar.Conformance.Tests.Harness.Sandboxed;

/// <summary>
/// <c>environment_variable</c> vault credentials in real bubblewrap sandboxes: the sandbox sees a placeholder,
/// the egress proxy puts the value into plain-HTTP and HTTPS requests to the credential's hosts only, and the value
/// is in no event and no model request.
/// </summary>
[Collection(SandboxVaultHangarCollection.Name)]
public sealed class EnvironmentCredentialTests(SandboxVaultHangar hangar)
{
    private static string Curl(int port, string host, string path, string scheme = "http", string extra = "") =>
        // NO_PROXY lists 127.0.0.1 for the sandbox's own loopback; these requests must go out through the proxy.
        $"env -u NO_PROXY -u no_proxy curl -sS {extra} -o /dev/null -w '%{{http_code}}' -x http://127.0.0.1:3128 "
        + $"-H \"X-Key: Bearer $STRIPE_KEY\" --data-binary \"key=$STRIPE_KEY&n=1\" {scheme}://{host}:{port}{path}";

    [Fact]
    public async Task The_sandbox_sees_a_placeholder_and_only_allowed_hosts_receive_the_value()
    {
        var ct = Timeouts.Test(180);
        await using var upstream = RecordingHttpServer.Start();
        var client = hangar.Client();
        var secret = "sk_live_" + Guid.NewGuid().ToString("N");
        var vault = await client.Beta.Vaults.Create(new VaultCreateParams { DisplayName = Arrange.Name("vault") }, ct);
        await CreateAsync(client, vault.ID, secret, ct);

        var script = hangar.Scripts.New().Then(
            // The value travels base64-encoded in the command, so the log holds it only if the sandbox leaks it.
            SandboxedHangar.Bash("echo \"KEY=$STRIPE_KEY\"; echo \"LEAKS=$(cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -c \"$(echo "
                + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(secret)) + " | base64 -d)\")\""),
            SandboxedHangar.Bash(Curl(upstream.Port, "127.0.0.1", "/allowed")),
            SandboxedHangar.Bash(Curl(upstream.Port, "localhost", "/elsewhere")),
            FakeReply.Text("done"));
        var sessionId = await hangar.SessionAsync(script, ct, vault.ID);
        await client.SendAsync(sessionId, ct, Turns.Message("use the key"));
        var events = await client.WaitForIdleAsync(sessionId, ct);
        var results = Turns.All<BetaManagedAgentsAgentToolResultEvent>(events).Select(SandboxedHangar.Text).ToList();

        Assert.Equal(3, results.Count);
        Assert.Contains("KEY=hangar_secret_placeholder_", results[0]);
        Assert.DoesNotContain(secret, results[0]);
        Assert.Contains("LEAKS=0", results[0]);
        Assert.Contains("200", results[1]);
        Assert.Contains("200", results[2]);
        var allowed = Assert.Single(upstream.Requests, r => r.Path == "/allowed");
        Assert.Equal($"Bearer {secret}", allowed.Key);
        Assert.Equal($"key={secret}&n=1", allowed.Body);
        var elsewhere = Assert.Single(upstream.Requests, r => r.Path == "/elsewhere");
        Assert.StartsWith("Bearer hangar_secret_placeholder_", elsewhere.Key);
        Assert.DoesNotContain(secret, elsewhere.Key + elsewhere.Body);

        using var raw = hangar.Server.Raw();
        var log = await raw.GetStringAsync($"/v1/sessions/{sessionId}/events?limit=1000", ct);
        Assert.DoesNotContain(secret, log);
        Assert.All(script.Requests, request => Assert.DoesNotContain(secret, request.RawBody));
    }

    [Fact]
    public async Task Over_HTTPS_the_proxy_terminates_TLS_for_the_credentials_host_only_and_swaps_there()
    {
        var ct = Timeouts.Test(180);
        await using var upstream = await RecordingHttpsServer.StartAsync();
        var client = hangar.Client();
        var secret = "sk_live_" + Guid.NewGuid().ToString("N");
        var vault = await client.Beta.Vaults.Create(new VaultCreateParams { DisplayName = Arrange.Name("vault") }, ct);
        await CreateAsync(client, vault.ID, secret, ct);

        var script = hangar.Scripts.New().Then(
            // 127.0.0.1 is the credential's host: the sandbox trusts the proxy's CA, no -k needed.
            SandboxedHangar.Bash(Curl(upstream.Port, "127.0.0.1", "/allowed", "https")),
            // localhost is not: a blind tunnel, so the client meets the upstream's own (test) certificate.
            SandboxedHangar.Bash(Curl(upstream.Port, "localhost", "/elsewhere", "https", "-k")),
            FakeReply.Text("done"));
        var sessionId = await hangar.SessionAsync(script, ct, vault.ID);
        await client.SendAsync(sessionId, ct, Turns.Message("use the key over https"));
        var events = await client.WaitForIdleAsync(sessionId, ct);
        var results = Turns.All<BetaManagedAgentsAgentToolResultEvent>(events).Select(SandboxedHangar.Text).ToList();

        Assert.Equal(2, results.Count);
        Assert.Contains("200", results[0]);
        Assert.Contains("200", results[1]);
        var allowed = Assert.Single(upstream.Requests, r => r.Path == "/allowed");
        Assert.Equal($"Bearer {secret}", allowed.Key);
        Assert.Equal($"key={secret}&n=1", allowed.Body);
        var elsewhere = Assert.Single(upstream.Requests, r => r.Path == "/elsewhere");
        Assert.StartsWith("Bearer hangar_secret_placeholder_", elsewhere.Key);
        Assert.DoesNotContain(secret, elsewhere.Key + elsewhere.Body);
        using var raw = hangar.Server.Raw();
        Assert.DoesNotContain(secret, await raw.GetStringAsync($"/v1/sessions/{sessionId}/events?limit=1000", ct));
    }

    [Fact]
    public async Task A_rotated_value_reaches_the_sessions_next_sandbox()
    {
        var ct = Timeouts.Test(180);
        await using var upstream = RecordingHttpServer.Start();
        var client = hangar.Client();
        var vault = await client.Beta.Vaults.Create(new VaultCreateParams { DisplayName = Arrange.Name("vault") }, ct);
        var first = "first-" + Guid.NewGuid().ToString("N");
        var credential = await CreateAsync(client, vault.ID, first, ct);
        var script = hangar.Scripts.New().Then(
            SandboxedHangar.Bash(Curl(upstream.Port, "127.0.0.1", "/before")), FakeReply.Text("done"),
            SandboxedHangar.Bash(Curl(upstream.Port, "127.0.0.1", "/after")), FakeReply.Text("done"));
        var sessionId = await hangar.SessionAsync(script, ct, vault.ID);
        await client.SendAsync(sessionId, ct, Turns.Message("use the key"));
        await client.WaitForIdleAsync(sessionId, ct);

        // The turn ended, so its sandbox is gone: the next turn's sandbox reads the vault again.
        var rotated = "second-" + Guid.NewGuid().ToString("N");
        await client.Beta.Vaults.Credentials.Update(credential.ID, new CredentialUpdateParams
        {
            VaultID = vault.ID,
            Auth = new BetaManagedAgentsEnvironmentVariableUpdateParams { SecretValue = rotated },
        }, ct);
        await client.SendAsync(sessionId, ct, Turns.Message("use it again"));
        await client.WaitForIdleAsync(sessionId, ct, idles: 2);

        Assert.Equal($"Bearer {first}", Assert.Single(upstream.Requests, r => r.Path == "/before").Key);
        Assert.Equal($"Bearer {rotated}", Assert.Single(upstream.Requests, r => r.Path == "/after").Key);
    }

    private static async Task<BetaManagedAgentsCredential> CreateAsync(AnthropicClient client, string vaultId, string secret, CancellationToken ct) =>
        await client.Beta.Vaults.Credentials.Create(vaultId, new CredentialCreateParams
        {
            DisplayName = "stripe",
            Auth = new BetaManagedAgentsEnvironmentVariableCreateParams
            {
                SecretName = "STRIPE_KEY",
                SecretValue = secret,
                Networking = new BetaManagedAgentsLimitedCredentialNetworkingParams { AllowedHosts = ["127.0.0.1"] },
            },
        }, ct);
}
