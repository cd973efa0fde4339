namespace Hangar.Sandbox.Network;

/// <summary>
/// The host-side egress proxy for <c>limited</c> (and, by default, <c>unrestricted</c>) networking (issue 5 §4). One listener per sandbox:
/// the sandbox provider binds <see cref="EgressEndpoint.UnixSocketPath"/> read-only into the sandbox at
/// <c>/run/sbx/proxy.sock</c> and runs an in-sandbox relay (socat on 127.0.0.1:3128) with
/// <c>HTTP(S)_PROXY</c> pointing at it. The proxy speaks HTTP (absolute-form requests) and HTTPS
/// <c>CONNECT</c>, allows only the policy's hosts, answers others with a clear 403, and refuses
/// destinations resolving to loopback, link-local, private or metadata addresses unless
/// the operator's private-egress allowlist lists them (metadata never). The socket path identifies the sandbox instance (a session may have
/// two at once on one host, a stale one and its successor: each has its own listener).
/// </summary>
public interface IEgressProxy
{
    /// <summary>
    /// Starts (or returns the running) listener named <paramref name="sessionId"/> (the sandbox instance's name) enforcing
    /// <paramref name="policy"/>: a <see cref="NetworkPolicy.Limited"/>, or <see cref="NetworkPolicy.Unrestricted"/>
    /// (any public destination) unless the operator chose slirp4netns; never None. The socket file is owned by
    /// <paramref name="clientUid"/> (the sandbox's unprivileged host uid) with mode 0600, so that uid and root can
    /// connect and no other local user can. Idempotent per name: a second call with the same name returns the same endpoint.
    /// </summary>
    Task<EgressEndpoint> StartAsync(string sessionId, NetworkPolicy policy, int clientUid, CancellationToken ct);

    /// <summary>
    /// As above, swapping <paramref name="secrets"/>' placeholders for their values in requests to the hosts each allows
    /// (<c>environment_variable</c> vault credentials): plain HTTP, and HTTPS by terminating TLS with a CA the sandbox
    /// must trust (<see cref="EgressEndpoint.TrustedCaPem"/>). A proxy that cannot swap must refuse secrets.
    /// </summary>
    Task<EgressEndpoint> StartAsync(
        string sessionId, NetworkPolicy policy, int clientUid, IReadOnlyList<Hangar.Tools.SandboxSecret> secrets, CancellationToken ct) =>
        secrets.Count == 0
            ? StartAsync(sessionId, policy, clientUid, ct)
            : throw new NotSupportedException($"{GetType().Name} cannot swap credential placeholders at egress.");

    /// <summary>Stops the named listener and deletes its socket (never another name's); no-op when none is running.</summary>
    Task StopAsync(string sessionId, CancellationToken ct);
}

/// <summary>Where the sandbox reaches the proxy: an absolute host path of a unix stream socket.</summary>
public sealed record EgressEndpoint(string UnixSocketPath)
{
    /// <summary>
    /// When the proxy terminates HTTPS to credential hosts: its per-instance CA certificate (PEM, never the key), which
    /// the sandbox must trust. Null when the proxy intercepts nothing.
    /// </summary>
    public string? TrustedCaPem { get; init; }
}
