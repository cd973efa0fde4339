using System.Text.Json.Nodes;
using Hangar.Testing;
using Xunit;

namespace Hangar.Cli.Tests;

/// <summary>
/// <c>hangar doctor</c> and the start-up check behind it, run as real processes. A missing program is simulated
/// with a PATH of symlinks to every program on the test's own PATH except the hidden one: the check looks
/// programs up on PATH like <c>command -v</c> does.
/// </summary>
public sealed class DoctorCommandTests
{
    // Slirp4netns is only required with usermode networking: keep the developer's setting out.
    private static readonly Dictionary<string, string?> DefaultNetwork = new() { ["HANGAR_UNRESTRICTED_NETWORK"] = null };

    [Fact]
    public async Task Doctor_on_this_host_exits_0_and_lists_socat_as_ok()
    {
        var (exit, stdout, stderr) = await HangarProcess.RunAsync(["doctor"], DefaultNetwork);
        Assert.True(exit == 0, $"doctor failed ({exit}):\n{stdout}\n{stderr}");
        var socatLine = Assert.Single(stdout.Split('\n'), line => line.Trim().StartsWith("socat ", StringComparison.Ordinal));
        Assert.Contains(" ok ", socatLine);
        Assert.Contains("/usr/bin/socat", socatLine);

        var (jsonExit, json, _) = await HangarProcess.RunAsync(["doctor", "--json"], DefaultNetwork);
        Assert.Equal(0, jsonExit);
        var report = JsonNode.Parse(json)!;
        Assert.True(report["usable"]!.GetValue<bool>());
        var socat = Item(report, "socat");
        Assert.Equal("ok", socat["status"]!.GetValue<string>());
        Assert.Equal("required", socat["need"]!.GetValue<string>());
    }

    [Fact]
    public async Task Doctor_without_socat_exits_1_and_names_it_with_its_install_command()
    {
        using var path = PathWithout("socat");
        var env = new Dictionary<string, string?>(DefaultNetwork) { ["PATH"] = path.Path };

        var (exit, stdout, stderr) = await HangarProcess.RunAsync(["doctor"], env);
        Assert.True(exit == 1, $"doctor should fail ({exit}):\n{stdout}\n{stderr}");
        var socatLine = Assert.Single(stdout.Split('\n'), line => line.Trim().StartsWith("socat ", StringComparison.Ordinal));
        Assert.Contains("missing", socatLine);
        Assert.Contains("fix: apt-get install -y socat", stdout);
        Assert.Contains("socat missing", stderr);

        var (jsonExit, json, _) = await HangarProcess.RunAsync(["doctor", "--json"], env);
        Assert.Equal(1, jsonExit);
        var socat = Item(JsonNode.Parse(json)!, "socat");
        Assert.Equal("missing", socat["status"]!.GetValue<string>());
        Assert.Equal("apt-get install -y socat", socat["fix"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("worker")]
    public async Task Start_up_without_socat_refuses_with_exit_1_and_the_install_command(string command)
    {
        using var path = PathWithout("socat");
        using var data = new TempDirectory();
        var env = new Dictionary<string, string?>(DefaultNetwork) { ["PATH"] = path.Path };

        string[] args = command == "serve" ? ["serve", "--port", "0"] : [command];

        var (exit, stdout, stderr) = await HangarProcess.RunAsync([.. args, "--data", data.Path], env);

        Assert.True(exit == 1, $"{command} should refuse ({exit}):\n{stdout}\n{stderr}");
        Assert.Contains("socat (not found on PATH)", stderr);
        Assert.Contains("apt-get install -y socat", stderr);
        Assert.DoesNotContain("listening", stdout);
    }

    private static JsonNode Item(JsonNode report, string name) =>
        Assert.Single(report["items"]!.AsArray(), item => item!["name"]!.GetValue<string>() == name)!;

    /// <summary>A directory of symlinks to every program on this process's PATH except <paramref name="hidden"/>.</summary>
    private static TempDirectory PathWithout(string hidden)
    {
        var directory = new TempDirectory();
        var linked = new HashSet<string> { hidden };
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Where(Directory.Exists);
        foreach (var program in directories.SelectMany(Directory.EnumerateFiles))
        {
            // The first of a name wins, as in a PATH lookup.
            if (linked.Add(Path.GetFileName(program)))
                File.CreateSymbolicLink(Path.Combine(directory.Path, Path.GetFileName(program)), program);
        }
        return directory;
    }
}
