using System.Diagnostics;
using System.Text.Json.Nodes;
using Hangar.Sandbox.Bubblewrap;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hangar.Sandbox.Tests;

/// <summary>
/// The hard per-session disk quota: a 64 MiB loop-mounted disk per session here. Writes past it fail with ENOSPC
/// wherever the sandbox writes on the host (workspace, outputs), the model reads "disk full", other sessions and
/// the host are unaffected, and the disk survives a handoff between instances and the instances themselves, is
/// unmounted at graceful shutdown (or at the next start-up after a crash), and is removed with the session.
/// </summary>
public sealed class DiskQuotaTests : IAsyncLifetime
{
    private const long Quota = 64L << 20;
    private readonly string data = Path.Join("/tmp", "hangar-sbx-disk-" + Guid.NewGuid().ToString("N")[..8]);
    private BubblewrapSandboxProvider provider = null!;

    private SandboxOptions Options => new()
    {
        DataDirectory = data,
        // RLIMIT_FSIZE above the quota, so the disk, not the per-file limit, stops the writer.
        Limits = SandboxFixture.TestLimits with { DiskBytes = Quota, MaxFileBytes = 1L << 30 },
    };

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(data);
        provider = await BubblewrapSandboxProvider.CreateAsync(Options, NullLogger.Instance, egress: null, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await provider.DisposeAsync();
        Assert.Empty(MountTable.MountPointsUnder(data)); // nothing leaks once every instance is gone
        Directory.Delete(data, recursive: true);
    }

    private string SessionDirectory(string sessionId) => Path.Join(data, "sandboxes", sessionId);

    private string Image(string sessionId) => Path.Join(data, "sandboxes", ".disks", sessionId + ".ext4");

    [Fact]
    public async Task Filling_the_disk_fails_with_enospc_and_the_model_reads_disk_full()
    {
        var sandbox = await provider.AcquireAsync(SandboxFixture.Request(SandboxFixture.NewSessionId()), CancellationToken.None);
        var neighbour = await provider.AcquireAsync(SandboxFixture.Request(SandboxFixture.NewSessionId()), CancellationToken.None);

        var (text, isError) = await sandbox.RunAsync(Tools.Bash("dd if=/dev/zero of=fill.bin bs=1M count=200 2>&1; echo after"));
        Assert.True(isError, text);
        Assert.Contains("No space left on device", text);
        Assert.Contains("disk full: the workspace quota of", text);
        Assert.Contains("is used up; delete files", text);
        // What the host gave up is the image's allocated blocks: at most the quota.
        var image = Image(((BubblewrapSandbox)sandbox).SessionId);
        Assert.InRange(AllocatedBytes(image), Quota / 2, Quota);

        // The file tools (in-sandbox runner) hit the same wall and say so.
        var write = await sandbox.RunAsync(Tools.Call("write", new JsonObject { ["file_path"] = "more.txt", ["content"] = new string('x', 1 << 20) }));
        Assert.True(write.IsError, write.Text);
        Assert.StartsWith("write: disk full: the workspace quota of", write.Text);
        // Outputs share the quota: no second place to fill.
        var outputs = await sandbox.RunAsync(Tools.Bash("head -c 4000000 /dev/zero > /mnt/session/outputs/o.bin"));
        Assert.True(outputs.IsError, outputs.Text);
        Assert.Contains("No space left on device", outputs.Text);

        // The neighbour keeps writing; the full session recovers by deleting.
        Assert.Equal(("ok", false), await neighbour.RunAsync(Tools.Bash("head -c 20000000 /dev/zero > n.bin && echo ok")));
        Assert.Equal(("ok", false), await sandbox.RunAsync(Tools.Bash("rm -f fill.bin /mnt/session/outputs/o.bin; head -c 1000000 /dev/zero > small.bin && echo ok")));
        // discard: what the sandbox deleted goes back to the host (issued at the journal's next commit, ≤ 5 s).
        var clock = Stopwatch.StartNew();
        while (AllocatedBytes(image) > 16L << 20 && clock.Elapsed < TimeSpan.FromSeconds(15))
            await Task.Delay(250);
        Assert.InRange(AllocatedBytes(image), 0, 16L << 20);
    }

    [Fact]
    public async Task The_disk_outlives_a_handoff_and_its_instances_is_unmounted_at_shutdown_and_goes_with_the_session()
    {
        var sessionId = SandboxFixture.NewSessionId();
        var first = await provider.AcquireAsync(SandboxFixture.Request(sessionId) with { LeaseEpoch = 1 }, CancellationToken.None);
        Assert.False((await first.RunAsync(Tools.Bash("echo kept > notes.txt"))).IsError);
        Assert.True(MountTable.IsMountPoint(SessionDirectory(sessionId)));

        // A second worker on this host takes the session over; the first instance then goes away.
        var other = await BubblewrapSandboxProvider.CreateAsync(Options, NullLogger.Instance, egress: null, CancellationToken.None);
        var second = await other.AcquireAsync(SandboxFixture.Request(sessionId) with { LeaseEpoch = 2 }, CancellationToken.None);
        await first.DisposeAsync();
        Assert.True(MountTable.IsMountPoint(SessionDirectory(sessionId)), "the new owner's disk was unmounted under it");
        Assert.Equal(("kept", false), await second.RunAsync(Tools.Bash("cat notes.txt")));
        var uid = ((BubblewrapSandbox)second).HostUid;

        await second.DisposeAsync();
        Assert.True(MountTable.IsMountPoint(SessionDirectory(sessionId)), "the session lives on: its files stay at their host path");
        await other.DisposeAsync(); // graceful shutdown: disks nobody uses are unmounted
        Assert.False(MountTable.IsMountPoint(SessionDirectory(sessionId)));
        Assert.True(File.Exists(Image(sessionId)));

        var third = await provider.AcquireAsync(SandboxFixture.Request(sessionId) with { LeaseEpoch = 3 }, CancellationToken.None);
        Assert.Equal(uid, ((BubblewrapSandbox)third).HostUid);
        Assert.Equal(("kept", false), await third.RunAsync(Tools.Bash("cat notes.txt")));
        Assert.Contains(sessionId, provider.SessionsOnDisk());

        await provider.DeleteWorkspaceAsync(sessionId, CancellationToken.None);
        Assert.False(MountTable.IsMountPoint(SessionDirectory(sessionId)));
        Assert.False(File.Exists(Image(sessionId)));
        Assert.False(Directory.Exists(SessionDirectory(sessionId)));
    }

    [Fact]
    public async Task A_disk_left_mounted_by_a_crash_is_unmounted_at_start_up()
    {
        var sessionId = SandboxFixture.NewSessionId();
        var sandbox = await provider.AcquireAsync(SandboxFixture.Request(sessionId), CancellationToken.None);
        await sandbox.DisposeAsync();
        // What a killed server leaves behind: the mount, with nobody holding it.
        Assert.True(MountTable.IsMountPoint(SessionDirectory(sessionId)));

        await using var restarted = await BubblewrapSandboxProvider.CreateAsync(Options, NullLogger.Instance, egress: null, CancellationToken.None);
        Assert.False(MountTable.IsMountPoint(SessionDirectory(sessionId)));
    }

    [Fact]
    public async Task A_disk_whose_image_was_deleted_under_its_mount_is_unmounted_by_any_start_up()
    {
        var sessionId = SandboxFixture.NewSessionId();
        var sandbox = await provider.AcquireAsync(SandboxFixture.Request(sessionId), CancellationToken.None);
        await sandbox.DisposeAsync();
        // A killed server's mount, then its data directory removed around it (rm -rf fails only at the mount point).
        Assert.True(MountTable.IsMountPoint(SessionDirectory(sessionId)));
        File.Delete(Image(sessionId));

        var elsewhere = data + "-elsewhere";
        Directory.CreateDirectory(elsewhere);
        await using (await BubblewrapSandboxProvider.CreateAsync(Options with { DataDirectory = elsewhere }, NullLogger.Instance, egress: null, CancellationToken.None))
            Assert.False(MountTable.IsMountPoint(SessionDirectory(sessionId)));
        Directory.Delete(elsewhere, recursive: true);
    }

    [Fact]
    public async Task A_workspace_made_before_quotas_keeps_its_files_and_the_measured_check()
    {
        var sessionId = SandboxFixture.NewSessionId();
        var legacy = SessionDirectory(sessionId);
        Directory.CreateDirectory(legacy);
        await File.WriteAllTextAsync(Path.Join(legacy, "owner"), "legacy");

        var sandbox = (BubblewrapSandbox)await provider.AcquireAsync(SandboxFixture.Request(sessionId), CancellationToken.None);
        Assert.False(MountTable.IsMountPoint(legacy));
        Assert.Null(sandbox.Session.Disk);
        Assert.True(File.Exists(Path.Join(legacy, "owner")));
        var (text, isError) = await sandbox.RunAsync(Tools.Bash("for i in 1 2; do head -c 40000000 /dev/zero > f$i.bin; done"));
        Assert.True(isError, text);
        Assert.Contains("disk limit", text); // WorkspaceBytes (64 MiB here), measured after the command
    }

    private static long AllocatedBytes(string file)
    {
        var du = Run("/usr/bin/du", "-B1", "--", file);
        return long.Parse(du.Split('\t')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Run(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)}: {error}");
        return output;
    }
}
