using System.Text.Json.Nodes;
using Hangar.Sandbox.Bubblewrap;
using Hangar.Sandbox.Packages;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hangar.Sandbox.Tests.Packages;

/// <summary>
/// Package layers are bounded: a build past the per-environment cap fails with a package install error and
/// leaves nothing, and layers no sandbox used for the retention period are collected, never one a running
/// sandbox holds.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class LayerCapAndCollectionTests(SandboxFixture fixture) : IAsyncLifetime
{
    private readonly string data = fixture.DataDirectory + "-layers-" + Guid.NewGuid().ToString("N")[..6];
    private readonly List<BubblewrapSandboxProvider> providers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var provider in providers)
            await provider.DisposeAsync();
        if (Directory.Exists(data))
            Directory.Delete(data, recursive: true);
    }

    private async Task<BubblewrapSandboxProvider> ProviderAsync(Func<SandboxOptions, SandboxOptions> configure)
    {
        var provider = await BubblewrapSandboxProvider.CreateAsync(configure(fixture.Options with { DataDirectory = data }), NullLogger.Instance, null, CancellationToken.None);
        providers.Add(provider);
        return provider;
    }

    private string LayersRoot => Path.Join(data, "layers");

    [Fact]
    public async Task A_layer_over_the_cap_fails_with_a_package_install_error_and_leaves_nothing()
    {
        var provider = await ProviderAsync(o => o with { LayerBytes = 64 << 10 });
        var environment = PackageEnvironments.With("apt", "qrencode");

        var error = await Assert.ThrowsAsync<PackageInstallException>(
            () => provider.AcquireAsync(SandboxFixture.Request(SandboxFixture.NewSessionId(), environment), CancellationToken.None));
        Assert.Contains("qrencode", error.Message);
        Assert.Contains("the layer grew past its cap of 65536 bytes", error.Message);
        Assert.Null(provider.Layers.TryLoad(PackagesSpec.FromEnvironmentConfig(environment).Hash));
        Assert.Empty(Directory.EnumerateDirectories(LayersRoot));
    }

    [Fact]
    public async Task An_unused_layer_is_collected_but_never_while_a_sandbox_holds_it()
    {
        var provider = await ProviderAsync(o => o with { LayerRetention = TimeSpan.Zero });
        var environment = PackageEnvironments.With("apt", "qrencode");
        var hash = PackagesSpec.FromEnvironmentConfig(environment).Hash;

        var sandbox = await provider.AcquireAsync(SandboxFixture.Request(SandboxFixture.NewSessionId(), environment), CancellationToken.None);
        Assert.Empty(provider.Layers.Collect()); // held: mounted at /opt/env of a running sandbox
        Assert.False((await sandbox.RunAsync(Tools.Bash("qrencode --version"))).IsError);

        await sandbox.DisposeAsync();
        Assert.Equal([hash], provider.Layers.Collect());
        Assert.False(Directory.Exists(Path.Join(LayersRoot, hash)));

        // The environment comes back: its layer is built again.
        var builds = provider.Layers.Builds;
        var again = await provider.AcquireAsync(SandboxFixture.Request(SandboxFixture.NewSessionId(), environment), CancellationToken.None);
        Assert.Equal(builds + 1, provider.Layers.Builds);
        Assert.False((await again.RunAsync(Tools.Bash("qrencode --version"))).IsError);
    }

    [Fact]
    public async Task Collection_counts_from_the_last_use_and_skips_layers_held_by_another_process()
    {
        var provider = await ProviderAsync(o => o with { LayerRetention = TimeSpan.FromDays(7) });
        var stale = FakeLayer("stale", lastUse: DateTime.UtcNow.AddDays(-8));
        var recent = FakeLayer("recent", lastUse: DateTime.UtcNow.AddDays(-1));
        var held = FakeLayer("held", lastUse: DateTime.UtcNow.AddDays(-30));
        var recentlyUsed = FakeLayer("used", lastUse: DateTime.UtcNow.AddDays(-30));
        File.WriteAllText(Path.Join(LayersRoot, "used.inuse"), "");
        File.SetLastWriteTimeUtc(Path.Join(LayersRoot, "used.inuse"), DateTime.UtcNow.AddHours(-1));
        // A sandbox of another process holds "held": its shared lock on held.inuse.
        using var hold = HostFileLock.TryLock(Path.Join(LayersRoot, "held.inuse"), exclusive: false);

        Assert.Equal(["stale"], provider.Layers.Collect());
        Assert.False(Directory.Exists(stale));
        Assert.True(Directory.Exists(recent));
        Assert.True(Directory.Exists(held));
        Assert.True(Directory.Exists(recentlyUsed));
    }

    private string FakeLayer(string hash, DateTime lastUse)
    {
        var directory = Path.Join(LayersRoot, hash);
        Directory.CreateDirectory(Path.Join(directory, "npm"));
        var manifest = Path.Join(directory, PackageLayer.ManifestName);
        File.WriteAllText(manifest, new JsonObject { ["hash"] = hash, ["path"] = new JsonArray(), ["env"] = new JsonObject() }.ToJsonString());
        File.SetLastWriteTimeUtc(manifest, lastUse);
        return directory;
    }
}
