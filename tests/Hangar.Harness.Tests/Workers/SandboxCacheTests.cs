using System.Text.Json.Nodes;
using Hangar.Harness.Tools;
using Hangar.Harness.Workers;
using Hangar.Storage;
using Hangar.Tools;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hangar.Harness.Tests.Workers;

/// <summary>
/// A sandbox belongs to the lease that acquired it: a worker that lost its lease releases only its own,
/// never the one a newer lease of the same session holds (in this process or, through the provider, on this host).
/// </summary>
public sealed class SandboxCacheTests : IAsyncLifetime
{
    private readonly string root = Path.Join(Path.GetTempPath(), "hangar-cache-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly SandboxCache cache;
    private int acquisitions;

    public SandboxCacheTests()
    {
        cache = new SandboxCache(new CountingProvider(new LocalWorkspaceSandboxProvider(root, NullLogger<LocalWorkspaceSandboxProvider>.Instance), this));
    }

    [Fact]
    public async Task One_lease_gets_one_sandbox_and_an_older_lease_cannot_release_a_newer_one()
    {
        var first = await GetAsync(5);
        Assert.Same(first, await GetAsync(5));

        // Epoch 6 claimed while 5's holder has not noticed its loss: 6 gets its own, 5's is disposed.
        var second = await GetAsync(6);
        Assert.NotSame(first, second);
        await Assert.ThrowsAsync<SandboxGoneException>(() => RunAsync(first));

        await cache.ReleaseAsync(Lease(5)); // the stale holder finally handles its loss
        Assert.Equal("ok", await RunAsync(second));
        Assert.Same(second, await GetAsync(6));
        Assert.Equal(2, acquisitions);
    }

    [Fact]
    public async Task A_sandbox_kept_while_the_session_waits_passes_to_the_next_claim_only()
    {
        var kept = await GetAsync(3);
        cache.Keep(Lease(3));
        Assert.Same(kept, await GetAsync(4)); // nobody held the session in between

        cache.Keep(Lease(4));
        var fresh = await GetAsync(6); // epoch 5 was another worker's: what it did to the workspace is unknown here
        Assert.NotSame(kept, fresh);
        await Assert.ThrowsAsync<SandboxGoneException>(() => RunAsync(kept));
    }

    [Fact]
    public async Task A_torn_down_sandbox_is_discarded_and_the_next_call_gets_a_fresh_one()
    {
        var gone = await GetAsync(2);
        await gone.DisposeAsync();
        await Assert.ThrowsAsync<SandboxGoneException>(() => RunAsync(gone));

        await cache.DiscardAsync(Lease(2), gone);
        var fresh = await GetAsync(2);
        Assert.NotSame(gone, fresh);
        Assert.Equal("ok", await RunAsync(fresh));
    }

    private Task<ISandbox> GetAsync(long epoch) => cache.GetAsync(Lease(epoch),
        _ => Task.FromResult(new SandboxRequest("wrk_test", "sesn_cache", [])), CancellationToken.None);

    private static SessionLease Lease(long epoch) => new("wrk_test", "sesn_cache", "worker", epoch, DateTimeOffset.UtcNow.AddMinutes(1));

    private static async Task<string> RunAsync(ISandbox sandbox)
    {
        var result = await sandbox.ExecuteAsync(new ToolCall("bash", new JsonObject { ["command"] = "echo ok" }, "sevt_test"), CancellationToken.None);
        return result.Content[0]!["text"]!.GetValue<string>();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await cache.DisposeAsync();
        Directory.Delete(root, recursive: true);
    }

    private sealed class CountingProvider(ISandboxProvider inner, SandboxCacheTests test) : ISandboxProvider
    {
        public Task<ISandbox> AcquireAsync(SandboxRequest request, CancellationToken ct)
        {
            Interlocked.Increment(ref test.acquisitions);
            return inner.AcquireAsync(request, ct);
        }
    }
}
