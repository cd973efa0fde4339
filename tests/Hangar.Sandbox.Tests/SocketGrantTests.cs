using System.Diagnostics;
using Hangar.Sandbox.Git;
using Hangar.Sandbox.Network;
using Hangar.Tools.Network;

namespace Hangar.Sandbox.Tests;

/// <summary>Host sockets a sandbox reaches are owner-only (0600) and owned by that sandbox's uid, not world-connectable.</summary>
public sealed class SocketGrantTests : IAsyncLifetime
{
    private const int SandboxUid = 231_457;
    private const int OtherUid = 231_458;
    private readonly string directory = Path.Join("/tmp", "hgr-grant-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly EgressProxy proxy;

    public SocketGrantTests() => proxy = new EgressProxy(new EgressProxyOptions { SocketDirectory = directory });

    [Fact]
    public async Task The_egress_socket_is_granted_to_the_sandbox_uid_only()
    {
        var endpoint = await proxy.StartAsync("sesn_grant", new NetworkPolicy.Limited([], false, false), SandboxUid, CancellationToken.None);
        Assert.Equal($"600 {SandboxUid}", await RunAsync(0, "/usr/bin/stat", "-c", "%a %u", endpoint.UnixSocketPath));
        Assert.Equal("connected", await ConnectAsAsync(SandboxUid, endpoint.UnixSocketPath));
        Assert.Contains("Permission denied", await ConnectAsAsync(OtherUid, endpoint.UnixSocketPath));
    }

    [Fact]
    public async Task The_git_credential_socket_is_granted_to_the_sandbox_uid_only()
    {
        Directory.CreateDirectory(directory);
        var path = Path.Join(directory, "git.sock");
        await using var git = await GitCredentialProxy.StartAsync(path, [], PrivateEgressAllowlist.None, SandboxUid, CancellationToken.None);
        Assert.Equal($"600 {SandboxUid}", await RunAsync(0, "/usr/bin/stat", "-c", "%a %u", path));
        Assert.Contains("Permission denied", await ConnectAsAsync(OtherUid, path));
    }

    /// <summary>socat as <paramref name="uid"/>: "connected", or its error.</summary>
    private static Task<string> ConnectAsAsync(int uid, string socket) =>
        RunAsync(uid, "/usr/bin/socat", "-u", "OPEN:/dev/null", $"UNIX-CONNECT:{socket}");

    private static async Task<string> RunAsync(int uid, string program, params string[] args)
    {
        var start = new ProcessStartInfo("/usr/bin/setpriv") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var part in (string[])[$"--reuid={uid}", $"--regid={uid}", "--clear-groups", "--", program, .. args])
            start.ArgumentList.Add(part);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? (output.Length > 0 ? output.Trim() : "connected") : error.Trim();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await proxy.DisposeAsync();
        if (Directory.Exists(directory))
            Directory.Delete(directory, recursive: true);
    }
}
