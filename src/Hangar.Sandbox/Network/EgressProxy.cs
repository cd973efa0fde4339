using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hangar.Sandbox.Network;

/// <summary>
/// Runs per-sandbox egress proxies: <c>{SocketDirectory}/{sessionId}.sock</c>, mode 0600 and owned by the
/// sandbox's uid, inside a root-owned 0711 directory, speaking HTTP/1.1 forward-proxy (absolute-form http:// and CONNECT).
/// </summary>
public sealed class EgressProxy(EgressProxyOptions options, ILogger<EgressProxy>? logger = null) : IEgressProxy, IAsyncDisposable
{
    private const int MaxUnixSocketPathBytes = 107; // sun_path is 108 bytes including the terminator
    private readonly ILogger _logger = logger ?? NullLogger<EgressProxy>.Instance;
    private readonly Dictionary<string, EgressListener> _listeners = [];
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>A listener only this process's user can connect to (tests connect as root).</summary>
    public Task<EgressEndpoint> StartAsync(string sessionId, NetworkPolicy policy, CancellationToken ct) =>
        StartAsync(sessionId, policy, mcpServerHosts: null, clientUid: null, ct);

    public Task<EgressEndpoint> StartAsync(string sessionId, NetworkPolicy policy, int clientUid, CancellationToken ct) =>
        StartAsync(sessionId, policy, mcpServerHosts: null, clientUid, ct);

    public Task<EgressEndpoint> StartAsync(
        string sessionId, NetworkPolicy policy, int clientUid, IReadOnlyList<Hangar.Tools.SandboxSecret> secrets, CancellationToken ct) =>
        StartAsync(sessionId, policy, mcpServerHosts: null, clientUid, ct, secrets);

    public Task<EgressEndpoint> StartAsync(
        string sessionId, NetworkPolicy policy, IEnumerable<string>? mcpServerHosts, CancellationToken ct) =>
        StartAsync(sessionId, policy, mcpServerHosts, clientUid: null, ct);

    /// <summary>
    /// Idempotent per session; a call with a different policy restarts the listener on the same path.
    /// <paramref name="mcpServerHosts"/> (allowlist syntax) are opened when the policy allows MCP servers.
    /// <paramref name="clientUid"/>: the one unprivileged uid granted the socket (chown; mode 0600); null: owner only.
    /// </summary>
    public async Task<EgressEndpoint> StartAsync(
        string sessionId, NetworkPolicy policy, IEnumerable<string>? mcpServerHosts, int? clientUid, CancellationToken ct,
        IReadOnlyList<Hangar.Tools.SandboxSecret>? secrets = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("sandbox egress proxies need unix sockets with file modes");
        }

        if (sessionId.Length == 0 || !sessionId.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            throw new ArgumentException($"session id '{sessionId}' is not usable as a socket name", nameof(sessionId));
        }

        await _gate.WaitAsync(ct);
        try
        {
            if (_listeners.TryGetValue(sessionId, out var running))
            {
                // Secrets come with a sandbox start: a listener given some is never reused, always rebuilt with them.
                if (running.Policy.Equals(policy) && secrets is not { Count: > 0 })
                {
                    return new EgressEndpoint(running.SocketPath) { TrustedCaPem = running.TrustedCaPem };
                }

                _listeners.Remove(sessionId);
                await running.DisposeAsync();
            }

            var directory = Path.GetFullPath(options.SocketDirectory);
            // 0711: traversable, not listable; proven ours and not a symlink before root binds sockets in it.
            Bubblewrap.OwnedPath.EnsureDirectory(directory, (UnixFileMode)0b111_001_001);
            var socketPath = Path.Combine(directory, SocketFileName(sessionId));
            if (System.Text.Encoding.UTF8.GetByteCount(socketPath) > MaxUnixSocketPathBytes)
            {
                throw new ArgumentException($"socket path '{socketPath}' exceeds the unix socket limit of {MaxUnixSocketPathBytes} bytes");
            }

            File.Delete(socketPath); // left behind by a crashed server; binding would fail otherwise
            var listener = new EgressListener(sessionId, socketPath, policy, new EgressRules(policy, mcpServerHosts), options, _logger, clientUid,
                secrets is { Count: > 0 } ? new EgressSecrets(secrets) : null);
            _listeners[sessionId] = listener;
            _logger.Started(sessionId, socketPath, Describe(policy));
            return new EgressEndpoint(socketPath) { TrustedCaPem = listener.TrustedCaPem };
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task StopAsync(string sessionId, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_listeners.Remove(sessionId, out var listener))
            {
                await listener.DisposeAsync();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// A short, fixed-length file name for a listener: instance names (<c>&lt;session&gt;-&lt;token&gt;</c>) under a deep
    /// data directory would overrun the 107-byte unix socket path limit. The log line of each start pairs name and path.
    /// </summary>
    private static string SocketFileName(string name) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name)))[..20] + ".sock";

    /// <summary>Stops every session's listener (server shutdown).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var sessionId in _listeners.Keys.ToList())
        {
            await StopAsync(sessionId, CancellationToken.None);
        }
    }

    private static string Describe(NetworkPolicy policy) => policy switch
    {
        NetworkPolicy.Limited limited =>
            $"limited: {limited.AllowedHosts.Count} hosts, package managers {limited.AllowPackageManagers}, MCP servers {limited.AllowMcpServers}",
        NetworkPolicy.Unrestricted => "unrestricted, public addresses only",
        _ => "no network",
    };
}
