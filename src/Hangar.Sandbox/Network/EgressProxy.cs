using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hangar.Sandbox.Network;

/// <summary>
/// Starts per-sandbox egress proxies: <c>{SocketDirectory}/{sessionId}.sock</c>, mode 0666 inside a
/// 0711 directory, speaking HTTP/1.1 forward-proxy (absolute-form http:// and CONNECT).
/// </summary>
public sealed class EgressProxy(EgressProxyOptions options, ILogger<EgressProxy>? logger = null) : IEgressProxy
{
    private const int MaxUnixSocketPathBytes = 107; // sun_path is 108 bytes including the terminator
    private readonly ILogger _logger = logger ?? NullLogger<EgressProxy>.Instance;

    public Task<EgressEndpoint> StartAsync(string sessionId, NetworkPolicy policy, CancellationToken cancellationToken) =>
        StartAsync(sessionId, policy, mcpServerHosts: null, cancellationToken);

    /// <param name="mcpServerHosts">The agent's MCP endpoint hosts, opened when the policy allows MCP servers.</param>
    public Task<EgressEndpoint> StartAsync(
        string sessionId, NetworkPolicy policy, IEnumerable<string>? mcpServerHosts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        cancellationToken.ThrowIfCancellationRequested();
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("sandbox egress proxies need unix sockets with file modes");
        }
        if (sessionId.Length == 0 || !sessionId.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            throw new ArgumentException($"session id '{sessionId}' is not usable as a socket name", nameof(sessionId));
        }

        var directory = Path.GetFullPath(options.SocketDirectory);
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, (UnixFileMode)0b111_001_001); // 0711: traversable, not listable

        var socketPath = Path.Combine(directory, sessionId + ".sock");
        if (System.Text.Encoding.UTF8.GetByteCount(socketPath) > MaxUnixSocketPathBytes)
        {
            throw new ArgumentException($"socket path '{socketPath}' exceeds the unix socket limit of {MaxUnixSocketPathBytes} bytes");
        }

        File.Delete(socketPath); // left behind by a crashed server; binding would fail otherwise
        var listener = new EgressListener(sessionId, socketPath, new EgressRules(policy, mcpServerHosts), options, _logger);
        _logger.Started(sessionId, socketPath, Describe(policy));
        return Task.FromResult<EgressEndpoint>(listener);
    }

    private static string Describe(NetworkPolicy policy) => policy switch
    {
        NetworkPolicy.Limited limited =>
            $"limited: {limited.AllowedHosts.Count} hosts, package managers {limited.AllowPackageManagers}, MCP servers {limited.AllowMcpServers}",
        NetworkPolicy.Unrestricted => "unrestricted, public addresses only",
        _ => "no network",
    };
}
