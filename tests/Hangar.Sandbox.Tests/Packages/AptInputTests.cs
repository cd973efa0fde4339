using System.Text.Json.Nodes;
using Hangar.Sandbox.Packages;

namespace Hangar.Sandbox.Tests.Packages;

/// <summary>
/// What reaches apt on the host: only Debian package names (optionally <c>=version</c>), and never Hangar's
/// environment (the master key, database passwords).
/// </summary>
public sealed class AptInputTests
{
    private static PackagesSpec Apt(params string[] names) =>
        PackagesSpec.FromEnvironmentConfig(new JsonObject { ["packages"] = new JsonObject { ["apt"] = new JsonArray([.. names.Select(n => (JsonNode)n)]) } });

    [Theory]
    [InlineData("libc6")]
    [InlineData("g++")]
    [InlineData("python3.11")]
    [InlineData("libstdc++6=12.2.0-14")]
    [InlineData("tzdata=2024a-0+deb12u1")]
    [InlineData("bash=1:5.2.15-2+b2")]
    [InlineData("qrencode")]
    public void Debian_package_names_with_an_optional_version_are_accepted(string name) =>
        Assert.Equal([name], Apt(name).Managers.Single(m => m.Manager == "apt").Packages);

    [Theory]
    [InlineData("Qrencode")] // upper case
    [InlineData("q")] // one character
    [InlineData("./evil.deb")] // a file path apt would install
    [InlineData("/tmp/evil.deb")]
    [InlineData("qrencode/unstable")] // release selection
    [InlineData("qrencode:i386")] // architecture selection
    [InlineData("^lib.*")] // regex
    [InlineData("lib*")] // glob
    [InlineData("qrencode=")] // empty version
    [InlineData("qrencode=latest")] // version not starting with a digit
    [InlineData("qrencode;id")]
    [InlineData("+qrencode")]
    public void Anything_else_is_refused_before_apt_runs(string name)
    {
        var refused = Assert.Throws<PackageInstallException>(() => Apt(name));
        Assert.Contains("not a Debian package name", refused.Message);
    }

    [Fact]
    public async Task Apt_runs_with_a_clean_environment_without_the_master_key()
    {
        const string name = "HANGAR_MASTER_KEY";
        var before = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, "c2VjcmV0LW1hc3Rlci1rZXktbm90LWZvci1hcHQtMDEyMzQ1Ng==");
        Environment.SetEnvironmentVariable("HANGAR_DATABASE_FOR_APT_TEST", "Password=hunter2");
        try
        {
            // The same start apt and dpkg get, running /usr/bin/env instead: it prints exactly what they would inherit.
            var output = await BuildProcess.RunAsync(AptLayerInstaller.Apt("env", []), TimeSpan.FromSeconds(30), null, CancellationToken.None);
            Assert.True(output.Succeeded, output.Output);
            Assert.DoesNotContain(name, output.Output);
            Assert.DoesNotContain("hunter2", output.Output);
            Assert.Contains("DEBIAN_FRONTEND=noninteractive", output.Output);
            Assert.Contains("PATH=/usr/local/sbin:", output.Output);
            Assert.All(output.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries),
                line => Assert.Matches(@"^(PATH|LC_ALL|DEBIAN_FRONTEND|https?_proxy|no_proxy|HTTPS?_PROXY|NO_PROXY)=", line));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, before);
            Environment.SetEnvironmentVariable("HANGAR_DATABASE_FOR_APT_TEST", null);
        }
    }
}
