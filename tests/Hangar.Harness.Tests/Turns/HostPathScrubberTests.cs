using Hangar.Harness.Turns;

namespace Hangar.Harness.Tests.Turns;

/// <summary>What a tenant reads in <c>session.error</c> when its sandbox can't be prepared: the reason, not the host's layout.</summary>
public sealed class HostPathScrubberTests
{
    [Theory]
    [InlineData("refusing to use the sandbox state directory: /var/lib/hangar/sessions/sesn_1 is a symlink (to /home/alice/x)",
        "refusing to use the sandbox state directory: <host path> is a symlink (to <host path>)")]
    [InlineData("Could not find a part of the path '/tmp/hangar-tests-1f2e/layers/ab12/.debs'.",
        "Could not find a part of the path '<host path>'.")]
    [InlineData("dpkg -x /root/.hangar/layers/x/.debs/qrencode_4.1.1-1_amd64.deb exited with 2",
        "dpkg -x <host path> exited with 2")]
    public void Host_paths_are_replaced(string message, string expected) => Assert.Equal(expected, HostPathScrubber.Scrub(message));

    [Theory]
    [InlineData("cloning https://github.com/o/repo.git into /workspace/repo failed: remote answered 401")]
    [InlineData("/opt/env/apt/usr/bin/qrencode is not executable")]
    [InlineData("mount_path /mnt/session/uploads/a.txt exists")]
    [InlineData("Installing the environment's apt packages (hangar-no-such-package) failed: E: Unable to locate package hangar-no-such-package")]
    [InlineData("write to ./relative/path and ~/notes failed 3/4 times")]
    public void Urls_sandbox_paths_and_plain_text_are_kept(string message) => Assert.Equal(message, HostPathScrubber.Scrub(message));
}
