using Hangar.Sandbox.Bubblewrap;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hangar.Sandbox.Tests;

/// <summary>
/// The sandbox state directory is trusted by root: a directory another user made, a symlink, or a writable
/// ancestor is refused at start with a message naming the path, its owner and the fix; a link planted in a
/// session's directory is refused when the session opens.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class StateDirectoryTests(SandboxFixture fixture) : IDisposable
{
    private const int OtherUser = 4242;
    private readonly string scratch = Path.Join("/tmp", "hgr-state-" + Guid.NewGuid().ToString("N")[..8]);

    private Task<BubblewrapSandboxProvider> StartAsync(string data) =>
        BubblewrapSandboxProvider.CreateAsync(fixture.Options with { DataDirectory = data }, NullLogger.Instance, egress: null, CancellationToken.None);

    [Fact]
    public async Task A_state_directory_pre_created_by_another_user_is_refused()
    {
        var data = Path.Join(scratch, "state");
        Directory.CreateDirectory(data);
        Assert.Equal(0, Chown(data, OtherUser));
        var error = await Assert.ThrowsAsync<SandboxUnavailableException>(() => StartAsync(data));
        Assert.Contains(data, error.Message);
        Assert.Contains($"uid {OtherUser}", error.Message);
        Assert.Contains("--state-dir", error.Message);
        Assert.False(Directory.Exists(Path.Join(data, "sandboxes")), "nothing may be written into it");
    }

    [Fact]
    public async Task A_state_directory_that_is_a_symlink_is_refused()
    {
        var target = Path.Join(scratch, "attacker");
        Directory.CreateDirectory(target);
        var data = Path.Join(scratch, "state");
        Directory.CreateSymbolicLink(data, target);
        var error = await Assert.ThrowsAsync<SandboxUnavailableException>(() => StartAsync(data));
        Assert.Contains("symlink", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(target));
    }

    [Fact]
    public async Task A_symlinked_sandboxes_directory_inside_the_state_directory_is_refused()
    {
        var data = Path.Join(scratch, "state");
        Directory.CreateDirectory(data);
        Directory.CreateDirectory(Path.Join(scratch, "elsewhere"));
        Directory.CreateSymbolicLink(Path.Join(data, "sandboxes"), Path.Join(scratch, "elsewhere"));
        var error = await Assert.ThrowsAsync<SandboxUnavailableException>(() => StartAsync(data));
        Assert.Contains(Path.Join(data, "sandboxes"), error.Message);
        Assert.Contains("symlink", error.Message);
    }

    [Fact]
    public async Task A_state_directory_under_a_world_writable_ancestor_is_refused()
    {
        var open = Path.Join(scratch, "shared");
        Directory.CreateDirectory(open);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(open, (UnixFileMode)Convert.ToInt32("777", 8)); // like /tmp without its sticky bit
        var error = await Assert.ThrowsAsync<SandboxUnavailableException>(() => StartAsync(Path.Join(open, "state")));
        Assert.Contains(open, error.Message);
        Assert.Contains("writable by other users", error.Message);
    }

    [Fact]
    public async Task A_uid_file_swapped_for_a_symlink_is_refused_when_the_session_opens()
    {
        var session = SandboxFixture.NewSessionId();
        var directory = Path.Join(fixture.DataDirectory, "sandboxes", session);
        Directory.CreateDirectory(directory);
        File.CreateSymbolicLink(Path.Join(directory, "uid"), "/etc/hostname");
        var error = await Assert.ThrowsAsync<SandboxUnavailableException>(
            () => fixture.Provider.AcquireAsync(SandboxFixture.Request(session), CancellationToken.None));
        Assert.Contains(Path.Join(directory, "uid"), error.Message);
    }

    [Fact]
    public async Task A_session_directory_swapped_for_a_symlink_is_refused()
    {
        var session = SandboxFixture.NewSessionId();
        Directory.CreateDirectory(scratch);
        Directory.CreateSymbolicLink(Path.Join(fixture.DataDirectory, "sandboxes", session), scratch);
        var error = await Assert.ThrowsAsync<SandboxUnavailableException>(
            () => fixture.Provider.AcquireAsync(SandboxFixture.Request(session), CancellationToken.None));
        Assert.Contains("symlink", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(scratch));
    }

    public void Dispose()
    {
        if (Directory.Exists(scratch))
            Directory.Delete(scratch, recursive: true);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "lchown", SetLastError = true)]
    private static extern int LChown(string path, uint owner, uint group);

    private static int Chown(string path, int uid) => LChown(path, (uint)uid, (uint)uid);
}
