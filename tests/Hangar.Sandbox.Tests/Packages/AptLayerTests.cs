using System.Diagnostics;
using Hangar.Sandbox.Bubblewrap;
using Hangar.Sandbox.Packages;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Hangar.Sandbox.Tests.Packages;

/// <summary>
/// apt packages the host lacks (qrencode and its library libqrencode4; hello), fetched from Debian's
/// mirror and unpacked into a layer: they run inside the sandbox, the layer is built once and reused.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class AptLayerTests(SandboxFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task An_apt_package_runs_inside_and_the_next_sandbox_of_the_environment_starts_warm()
    {
        Assert.False(File.Exists("/usr/bin/qrencode"), "the test needs a package the host does not have");
        var environment = PackageEnvironments.With("apt", "qrencode");
        // A provider of its own: the shared one may hold this layer already (the start must be cold).
        var data = fixture.DataDirectory + "-cold";
        await using var provider = await BubblewrapSandboxProvider.CreateAsync(fixture.Options with { DataDirectory = data }, NullLogger.Instance, null, CancellationToken.None);

        var cold = Stopwatch.StartNew();
        var first = await provider.AcquireAsync(SandboxFixture.Request(SandboxFixture.NewSessionId(), environment), CancellationToken.None);
        var (text, isError) = await first.RunAsync(Tools.Bash("command -v qrencode && qrencode -t ASCII -o - hangar | head -c 200 | wc -c"));
        cold.Stop();
        Assert.False(isError, text);
        Assert.StartsWith("/opt/env/apt/usr/bin/qrencode\n", text); // found through the layer's PATH, its library through LD_LIBRARY_PATH
        Assert.Equal("200", text.Split('\n')[1].Trim());

        var layer = Assert.IsType<BubblewrapSandbox>(first).Layer!;
        var builtAt = File.GetLastWriteTimeUtc(Path.Join(layer.Directory, PackageLayer.ManifestName));
        var warm = Stopwatch.StartNew();
        var second = await provider.AcquireAsync(SandboxFixture.Request(SandboxFixture.NewSessionId(), environment), CancellationToken.None);
        (text, isError) = await second.RunAsync(Tools.Bash("qrencode --version 2>&1 | head -1"));
        warm.Stop();
        Assert.False(isError, text);
        Assert.Contains("4.1.1", text);
        Assert.Equal(layer.Directory, Assert.IsType<BubblewrapSandbox>(second).Layer!.Directory);
        Assert.Equal(builtAt, File.GetLastWriteTimeUtc(Path.Join(layer.Directory, PackageLayer.ManifestName)));
        output.WriteLine($"apt [qrencode]: cold (layer build + sandbox + first command) {cold.ElapsedMilliseconds} ms; warm {warm.Elapsed.TotalMilliseconds:0.0} ms");
        Assert.True(warm.Elapsed < cold.Elapsed / 5, $"warm {warm.ElapsedMilliseconds} ms vs cold {cold.ElapsedMilliseconds} ms: rebuilt?");

        // Read-only to the sandbox, root-owned and without set-id bits on the host.
        (text, _) = await second.RunAsync(Tools.Bash("touch /opt/env/apt/x 2>&1; echo rc=$?"));
        Assert.Contains("rc=1", text);
        Assert.Equal("0 755", HostStat(Path.Join(layer.Directory, "apt/usr/bin/qrencode")));
        await first.DisposeAsync();
        await second.DisposeAsync();
        await provider.DisposeAsync();
        Directory.Delete(data, recursive: true);
    }

    [Fact]
    public async Task Changing_the_packages_builds_a_new_layer_and_leaves_the_old_one()
    {
        var before = PackageEnvironments.With("apt", "qrencode");
        var after = PackageEnvironments.With("apt", "qrencode", "hello");
        await using var oldSandbox = (BubblewrapSandbox)await fixture.Provider.AcquireAsync(SandboxFixture.Request(SandboxFixture.NewSessionId(), before), CancellationToken.None);
        await using var newSandbox = (BubblewrapSandbox)await fixture.Provider.AcquireAsync(SandboxFixture.Request(SandboxFixture.NewSessionId(), after), CancellationToken.None);

        Assert.NotEqual(oldSandbox.Layer!.Hash, newSandbox.Layer!.Hash);
        Assert.True(Directory.Exists(oldSandbox.Layer.Directory));
        var (text, isError) = await newSandbox.RunAsync(Tools.Bash("hello"));
        Assert.False(isError, text);
        Assert.Equal("Hello, world!", text);
        (text, isError) = await oldSandbox.RunAsync(Tools.Bash("hello"));
        Assert.True(isError);
        Assert.Contains("not found", text);
    }

    [Fact]
    public async Task An_unknown_apt_package_fails_the_acquisition_naming_manager_and_package()
    {
        var environment = PackageEnvironments.With("apt", "hangar-no-such-package");
        var error = await Assert.ThrowsAsync<PackageInstallException>(() =>
            fixture.Provider.AcquireAsync(SandboxFixture.Request(SandboxFixture.NewSessionId(), environment), CancellationToken.None));
        Assert.Equal("apt", error.Manager);
        Assert.Contains("hangar-no-such-package", error.Message);
        Assert.Contains("Unable to locate package", error.Message);
    }

    private static string HostStat(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("/usr/bin/stat", ["-c", "%u %a", path]) { RedirectStandardOutput = true })!;
        var text = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return text;
    }
}
