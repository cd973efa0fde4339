using System.Text.Json.Nodes;
using Hangar.Sandbox.Bubblewrap;
using Hangar.Sandbox.Network;
using Hangar.Sandbox.Tests.Network;
using Hangar.Tools;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hangar.Sandbox.Tests;

/// <summary>
/// Two workers on one host: two providers (each with its own egress proxy) on one sandbox root, as two
/// <c>hangar worker</c> processes sharing the default root are. A session moves from A to B while A still
/// holds a sandbox for it; whatever A does afterwards (a late call, a release, a full shutdown) must leave
/// B's processes, cgroup, sockets and directory alone.
/// </summary>
public sealed class OwnershipTests : IAsyncLifetime
{
    private readonly string root = Path.Join("/tmp", "hangar-sbx-own-" + Guid.NewGuid().ToString("N")[..8]);
    private LoopbackHttpServer upstream = null!;
    private EgressProxy egressA = null!;
    private EgressProxy egressB = null!;
    private BubblewrapSandboxProvider workerA = null!;
    private BubblewrapSandboxProvider workerB = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(root);
        upstream = await LoopbackHttpServer.StartAsync("allowed");
        (egressA, workerA) = await WorkerAsync();
        (egressB, workerB) = await WorkerAsync();
    }

    private async Task<(EgressProxy, BubblewrapSandboxProvider)> WorkerAsync()
    {
        var egress = new EgressProxy(new EgressProxyOptions
        {
            SocketDirectory = Path.Join(root, "egress"),
            AllowPrivateEgress = true,
            Resolver = EgressProxyFixture.Resolve,
        });
        var provider = await BubblewrapSandboxProvider.CreateAsync(
            new SandboxOptions { DataDirectory = root, Limits = SandboxFixture.TestLimits }, NullLogger.Instance, egress, CancellationToken.None);
        return (egress, provider);
    }

    private SandboxRequest Request(string sessionId, long epoch = 1) => SandboxFixture.Request(sessionId, new JsonObject
    {
        ["type"] = "cloud",
        ["networking"] = new JsonObject { ["type"] = "limited", ["allowed_hosts"] = new JsonArray($"allowed.test:{upstream.Port}") },
    }) with
    { LeaseEpoch = epoch };

    [Fact]
    public async Task A_stale_owner_that_calls_releases_and_shuts_down_leaves_the_new_owner_running()
    {
        var sessionId = SandboxFixture.NewSessionId();
        var stale = (BubblewrapSandbox)await workerA.AcquireAsync(Request(sessionId), CancellationToken.None);
        Assert.False((await stale.RunAsync(Tools.Bash("echo run >> runs.log"))).IsError);
        var staleCall = stale.ExecuteAsync(Tools.Bash("sleep 30; echo stale-finished >> runs.log"), CancellationToken.None);

        // B takes the session over while A's command still runs: A's processes die, A's call ends as "gone".
        var owner = (BubblewrapSandbox)await workerB.AcquireAsync(Request(sessionId, epoch: 2), CancellationToken.None);
        await Assert.ThrowsAsync<SandboxGoneException>(() => staleCall.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.NotEqual(stale.Name, owner.Name);
        var running = owner.ExecuteAsync(Tools.Bash("echo run >> runs.log; sleep 2; echo first-ok"), CancellationToken.None);

        // A wakes up: a late call is refused without running, and so is a new sandbox under its old lease
        // (it cannot evict B in turn); then A releases and shuts down completely.
        await Assert.ThrowsAsync<SandboxGoneException>(() => stale.ExecuteAsync(Tools.Bash("echo stale >> runs.log"), CancellationToken.None));
        await Assert.ThrowsAsync<SandboxGoneException>(() =>
            stale.ExecuteAsync(Tools.Call("write", new JsonObject { ["file_path"] = "stale.txt", ["content"] = "x" }), CancellationToken.None));
        await Assert.ThrowsAsync<SandboxGoneException>(() => workerA.AcquireAsync(Request(sessionId, epoch: 1), CancellationToken.None));
        await workerA.ReleaseAsync(sessionId, CancellationToken.None);
        await workerA.DisposeAsync();
        await egressA.DisposeAsync();

        Assert.Equal(("first-ok", false), ToText(await running));
        Assert.Equal(("second-ok", false), await owner.RunAsync(Tools.Bash("echo second-ok")));
        Assert.Equal(("run\nrun", false), await owner.RunAsync(Tools.Bash("cat runs.log")));
        Assert.NotEqual(owner.EgressSocket, stale.EgressSocket);
        Assert.True(File.Exists(owner.EgressSocket), "the new owner's egress socket is gone");
        Assert.False(File.Exists(stale.EgressSocket), "the stale owner left its socket behind");
        var (curl, _) = await owner.RunAsync(Tools.Bash($"curl -sS -m 5 http://allowed.test:{upstream.Port}/ ; echo \" rc=$?\""));
        Assert.Contains("hello from allowed rc=0", curl);
    }

    [Fact]
    public async Task A_call_racing_the_disposal_of_its_sandbox_ends_cleanly()
    {
        for (var round = 0; round < 10; round++)
        {
            var sandbox = await workerA.AcquireAsync(Request(SandboxFixture.NewSessionId()), CancellationToken.None);
            var calls = new[]
            {
                Task.Run(() => sandbox.ExecuteAsync(Tools.Bash("echo hi"), CancellationToken.None)),
                Task.Run(() => sandbox.ExecuteAsync(Tools.Call("write", new JsonObject { ["file_path"] = "f.txt", ["content"] = "x" }), CancellationToken.None)),
            };
            await Task.Delay(round * 3);
            await sandbox.DisposeAsync();
            foreach (var call in calls)
            {
                try
                {
                    await call; // finished before the teardown: a plain result
                }
                catch (SandboxGoneException)
                {
                    // torn down under it: the one failure the harness expects (it retries in a fresh sandbox)
                }
            }
            await Assert.ThrowsAsync<SandboxGoneException>(() => sandbox.ExecuteAsync(Tools.Bash("echo late"), CancellationToken.None));
        }
    }

    private static (string Text, bool IsError) ToText(ToolResult result) =>
        (string.Concat(result.Content.Select(b => b?["text"]?.GetValue<string>())), result.IsError);

    public async Task DisposeAsync()
    {
        await workerB.DisposeAsync();
        await egressB.DisposeAsync();
        await workerA.DisposeAsync();
        await egressA.DisposeAsync();
        await upstream.DisposeAsync();
        Directory.Delete(root, recursive: true);
    }
}
