using System.Diagnostics;
using Hangar.Sandbox.Packages;
using Xunit.Abstractions;

namespace Hangar.Sandbox.Tests.Packages;

/// <summary>
/// npm installs run inside a build sandbox (unprivileged uid, registry-only network via the egress
/// proxy); the result is requirable from the session sandbox. pip's index is unreachable from this
/// host: the acquisition must fail quickly with a message naming pip and the package.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class NpmAndPipLayerTests(SandboxFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Concurrent_sandboxes_of_an_npm_environment_share_one_build_and_can_require_the_package()
    {
        var environment = PackageEnvironments.With("npm", "left-pad@1.3.0");
        var builds = fixture.Provider.Layers.Builds;
        var clock = Stopwatch.StartNew();
        var acquisitions = Enumerable.Range(0, 3).Select(_ =>
            fixture.Provider.AcquireAsync(SandboxFixture.Request(SandboxFixture.NewSessionId(), environment), CancellationToken.None)).ToList();
        var sandboxes = await Task.WhenAll(acquisitions);
        output.WriteLine($"npm [left-pad]: 3 concurrent cold acquisitions {clock.ElapsedMilliseconds} ms");

        Assert.Equal(builds + 1, fixture.Provider.Layers.Builds);
        clock.Restart();
        await using var warm = await fixture.Provider.AcquireAsync(SandboxFixture.Request(SandboxFixture.NewSessionId(), environment), CancellationToken.None);
        var (warmText, _) = await warm.RunAsync(Tools.Bash("node -e \"require('left-pad')\" && echo ok"));
        output.WriteLine($"npm [left-pad]: warm acquisition + first command {clock.Elapsed.TotalMilliseconds:0.0} ms");
        Assert.Equal("ok", warmText);
        Assert.Equal(builds + 1, fixture.Provider.Layers.Builds);
        foreach (var sandbox in sandboxes)
        {
            var (text, isError) = await sandbox.RunAsync(Tools.Bash("node -e \"console.log(require('left-pad')('7', 3, '0'))\""));
            Assert.False(isError, text);
            Assert.Equal("007", text);
            await sandbox.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_pip_package_with_pypi_unreachable_fails_within_seconds_naming_pip_and_the_package()
    {
        var environment = PackageEnvironments.With("pip", "requests");
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<PackageInstallException>(() =>
            fixture.Provider.AcquireAsync(SandboxFixture.Request(SandboxFixture.NewSessionId(), environment), CancellationToken.None));
        clock.Stop();
        output.WriteLine($"pip [requests]: failed after {clock.ElapsedMilliseconds} ms: {error.Message}");
        Assert.Equal("pip", error.Manager);
        Assert.Contains("requests", error.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        Assert.Null(fixture.Provider.Layers.TryLoad(PackagesSpec.FromEnvironmentConfig(environment).Hash));
    }

    [Fact]
    public async Task A_manager_missing_from_the_host_fails_with_a_clear_message()
    {
        Assert.False(File.Exists("/usr/bin/gem"), "the test needs a host without ruby's gem in /usr");
        var environment = PackageEnvironments.With("gem", "rake");
        var error = await Assert.ThrowsAsync<PackageInstallException>(() =>
            fixture.Provider.AcquireAsync(SandboxFixture.Request(SandboxFixture.NewSessionId(), environment), CancellationToken.None));
        Assert.Equal("gem", error.Manager);
        Assert.Contains("/usr/bin/gem is missing", error.Message);
    }

    [Fact]
    public async Task A_build_killed_midway_leaves_no_layer_and_the_next_acquisition_builds_it_whole()
    {
        var environment = PackageEnvironments.With("npm", "is-number@7.0.0");
        var spec = PackagesSpec.FromEnvironmentConfig(environment);
        var layers = fixture.Provider.Layers;

        // Killed while npm runs in its build sandbox.
        using (var kill = new CancellationTokenSource(TimeSpan.FromMilliseconds(400)))
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => layers.LoadOrBuildAsync(spec, kill.Token));
        Assert.Null(layers.TryLoad(spec.Hash));
        Assert.Empty(Directory.EnumerateDirectories(layers.Root, $"*{spec.Hash}*"));

        // What a crashed process leaves: a temp dir and even a final-looking dir without a manifest.
        Directory.CreateDirectory(Path.Join(layers.Root, $".tmp-{spec.Hash}-crashed", "npm", "node_modules"));
        Directory.CreateDirectory(Path.Join(layers.Root, spec.Hash, "npm", "node_modules"));
        Assert.Null(layers.TryLoad(spec.Hash));

        await using var sandbox = await fixture.Provider.AcquireAsync(SandboxFixture.Request(SandboxFixture.NewSessionId(), environment), CancellationToken.None);
        var (text, isError) = await sandbox.RunAsync(Tools.Bash("node -e \"console.log(require('is-number')(5))\""));
        Assert.False(isError, text);
        Assert.Equal("true", text);
        Assert.NotNull(layers.TryLoad(spec.Hash));
        Assert.Equal([spec.Hash], Directory.EnumerateDirectories(layers.Root, $"*{spec.Hash}*").Select(Path.GetFileName));
    }
}
