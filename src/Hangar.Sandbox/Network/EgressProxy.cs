using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hangar.Sandbox.Network;

/// <summary>
/// Runs per-sandbox egress proxies: <c>{SocketDirectory}/{sessionId}.sock</c>, mode 0666 inside a
/// 0711 directory, speaking HTTP/1.1 forward-proxy (absolute-form http:// and CONNECT).
/// </summary>
public sealed class EgressProxy(EgressProxyOptions options, ILogger<EgressProxy>? logger = null) : IEgressProxy, IAsyncDisposable
{
    private const int MaxUnixSocketPathBytes = 107; // sun_path is 108 bytes including the terminator
    private readonly ILogger _logger = logger ?? NullLogger<EgressProxy>.Instance;
    private readonly Dictionary<string, EgressListener> _listeners = [];
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The proxy with <c>HANGAR_ALLOW_PRIVATE_EGRESS</c> read from the process environment.</summary>
    public static EgressProxy FromEnvironment(string socketDirectory, ILogger<EgressProxy>? logger = null) =>
        new(EgressProxyOptions.FromEnvironment(socketDirectory), logger);

    public Task<EgressEndpoint> StartAsync(string sessionId, NetworkPolicy policy, CancellationToken ct) =>
        StartAsync(sessionId, policy, mcpServerHosts: null, ct);

    /// <summary>
    /// Idempotent per session; a call with a different policy restarts the listener on the same path.
    /// <paramref name="mcpServerHosts"/> (allowlist syntax) are opened when the policy allows MCP servers.
    /// </summary>
    public async Task<EgressEndpoint> StartAsync(
        string sessionId, NetworkPolicy policy, IEnumerable<string>? mcpServerHosts, CancellationToken ct)
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
                if (running.Policy.Equals(policy))
                {
                    return new EgressEndpoint(running.SocketPath);
                }

                _listeners.Remove(sessionId);
                await running.DisposeAsync();
            }

            var directory = Path.GetFullPath(options.SocketDirectory);
            Directory.CreateDirectory(directory);
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_001_001); // 0711: traversable, not listable
            var socketPath = Path.Combine(directory, SocketFileName(sessionId));
            if (System.Text.Encoding.UTF8.GetByteCount(socketPath) > MaxUnixSocketPathBytes)
            {
                throw new ArgumentException($"socket path '{socketPath}' exceeds the unix socket limit of {MaxUnixSocketPathBytes} bytes");
            }

            File.Delete(socketPath); // left behind by a crashed server; binding would fail otherwise
            var listener = new EgressListener(sessionId, socketPath, policy, new EgressRules(policy, mcpServerHosts), options, _logger);
            _listeners[sessionId] = listener;
            _logger.Started(sessionId, socketPath, Describe(policy));
            return new EgressEndpoint(socketPath);
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
