using System.Net;
using System.Net.Sockets;
using Hangar.Tools.Network;
using Microsoft.Extensions.Logging;

namespace Hangar.Sandbox.Network;

/// <summary>
/// One client connection from the sandbox: read the proxy request, check name/port against the policy,
/// resolve once, check every address, connect to a checked address, then relay bytes until either
/// side is done or the connection idles out.
/// </summary>
internal sealed class EgressConnection(string sessionId, EgressRules rules, EgressProxyOptions options, ILogger logger,
    EgressSecrets? secrets = null, SandboxCertificateAuthority? authority = null)
{
    private sealed record Request(string Method, EgressTarget Target, byte[] UpstreamPreamble)
    {
        /// <summary>The absolute-form request's head, origin-form path and checked Host (to rebuild it with secrets swapped in).</summary>
        public (ProxyRequestHead Head, string Path, string HostHeader)? Origin { get; init; }
    }

    public async Task HandleAsync(Socket client, CancellationToken cancellationToken)
    {
        await using var clientStream = new NetworkStream(client, ownsSocket: true);
        ProxyRequestHead.ReadResult read;
        using (var headTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            headTimeout.CancelAfter(options.HeaderTimeout);
            try
            {
                read = await ProxyRequestHead.ReadAsync(clientStream, options.MaxHeaderBytes, headTimeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await RejectAsync(clientStream, 408, "timed out waiting for the request head", cancellationToken);
                return;
            }
        }

        if (read.Head is null)
        {
            if (read.ErrorStatus != 0)
            {
                await RejectAsync(clientStream, read.ErrorStatus, read.Error!, cancellationToken);
            }

            return;
        }

        if (ParseRequest(read.Head, out var error) is not { } request)
        {
            await RejectAsync(clientStream, 400, error, cancellationToken);
            return;
        }

        var target = request.Target;
        var decision = rules.Decide(target);
        if (!decision.Allowed)
        {
            await RefuseAsync(clientStream, request, decision.Reason, cancellationToken);
            return;
        }

        using var upstream = await ConnectAsync(clientStream, request, cancellationToken);
        if (upstream is null)
        {
            return;
        }

        await using var upstreamStream = new NetworkStream(upstream, ownsSocket: false);
        var leftover = read.Leftover;
        if (request.Method == "CONNECT")
        {
            // Only a host a credential applies to is decrypted; every other tunnel stays a blind byte relay.
            if (authority is not null && secrets?.For(target) is { Count: > 0 } connectSwaps)
            {
                await InterceptAsync(clientStream, upstreamStream, request, leftover, connectSwaps, authority, cancellationToken);
                return;
            }

            await clientStream.WriteAsync(ProxyResponses.ConnectionEstablished, cancellationToken);
        }
        else if (secrets is { IsEmpty: false } && secrets.For(target) is { Count: > 0 } swaps && request.Origin is { } origin)
        {
            leftover = await EgressSwap.WriteAsync(clientStream, upstreamStream, origin.Head, origin.Path, origin.HostHeader, leftover, swaps, cancellationToken);
        }
        else
        {
            await upstreamStream.WriteAsync(request.UpstreamPreamble, cancellationToken);
        }

        if (!leftover.IsEmpty)
        {
            await upstreamStream.WriteAsync(leftover, cancellationToken);
        }

        var (up, down) = await new ByteRelay(options.IdleTimeout).RunAsync(clientStream, upstreamStream, upstream, cancellationToken);
        logger.Closed(sessionId, target.Host, target.Port, up + leftover.Length, down);
    }

    /// <summary>
    /// TLS to the upstream first, verified: a host whose certificate fails gets a 502 to the CONNECT, before the
    /// sandbox could send anything. Then the tunnel is accepted and terminated with the sandbox CA's leaf.
    /// </summary>
    private async Task InterceptAsync(Stream clientStream, Stream upstreamStream, Request request, ReadOnlyMemory<byte> leftover,
        IReadOnlyList<Hangar.Tools.SandboxSecret> swaps, SandboxCertificateAuthority ca, CancellationToken cancellationToken)
    {
        var target = request.Target;
        var (upstreamTls, failure) = await EgressTls.ConnectUpstreamAsync(upstreamStream, target, options, cancellationToken);
        if (upstreamTls is null)
        {
            await FailAsync(clientStream, request, 502, failure!, cancellationToken);
            return;
        }

        await using (upstreamTls)
        {
            logger.Intercepting(sessionId, target.Host, target.Port);
            await clientStream.WriteAsync(ProxyResponses.ConnectionEstablished, cancellationToken);
            var inner = leftover.IsEmpty ? clientStream : new PrefixedStream(leftover, clientStream);
            await using var clientTls = await EgressTls.AcceptClientAsync(inner, target, ca, options.HeaderTimeout, cancellationToken);
            if (clientTls is null)
            {
                logger.ClientRefusedCertificate(sessionId, target.Host, target.Port);
                return;
            }

            var (up, down) = await EgressInterception.RunAsync(clientTls, upstreamTls, target, swaps, options, cancellationToken);
            logger.Closed(sessionId, target.Host, target.Port, up, down);
        }
    }

    private static Request? ParseRequest(ProxyRequestHead head, out string error)
    {
        error = string.Empty;
        if (head.Method == "CONNECT")
        {
            if (EgressTarget.TryParseAuthority(head.Target, defaultPort: null, out var connectTarget))
            {
                return new Request(head.Method, connectTarget!, []);
            }

            error = $"CONNECT needs host:port, got '{head.Target}'";
            return null;
        }

        const string scheme = "http://";
        if (!head.Target.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            error = head.Target.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
                ? "use CONNECT for https:// destinations"
                : "this is a forward proxy: send an absolute http:// URL or CONNECT host:port";
            return null;
        }

        var rest = head.Target[scheme.Length..];
        var end = rest.IndexOfAny(['/', '?', '#']);
        var authority = end < 0 ? rest : rest[..end];
        var path = end < 0 ? "/" : rest[end..];
        if (path.StartsWith('?'))
        {
            path = "/" + path;
        }

        if (authority.Contains('@') || !EgressTarget.TryParseAuthority(authority, defaultPort: 80, out var target))
        {
            error = $"invalid destination in '{head.Target}'";
            return null;
        }

        var hostHeader = target!.Literal is { AddressFamily: AddressFamily.InterNetworkV6 } ? $"[{target.Host}]" : target.Host;
        if (target.Port != 80)
        {
            hostHeader += $":{target.Port}";
        }

        var originPath = path.Split('#')[0];
        return new Request(head.Method, target, head.ToOriginForm(originPath, hostHeader)) { Origin = (head, originPath, hostHeader) };
    }

    /// <summary>Resolves once, refuses if any address is forbidden, connects to a checked address.</summary>
    private async Task<Socket?> ConnectAsync(Stream client, Request request, CancellationToken cancellationToken)
    {
        var target = request.Target;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        IPAddress[] addresses;
        try
        {
            addresses = target.Literal is { } literal ? [literal] : await options.Resolver(target.Host, timeout.Token);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await FailAsync(client, request, 502, $"could not resolve host '{target.Host}'", cancellationToken);
            return null;
        }

        if (addresses.Length == 0)
        {
            await FailAsync(client, request, 502, $"host '{target.Host}' has no addresses", cancellationToken);
            return null;
        }

        foreach (var address in addresses)
        {
            if (EgressAddressGuard.Check(address, options.AllowPrivateEgress, target.Literal is null ? target.Host : null) is { } category)
            {
                var hint = EgressAddressGuard.Hint(address, options.AllowPrivateEgress);
                await RefuseAsync(client, request,
                    $"host '{target.Host}' resolves to {address}, {category}; refused by the sandbox egress guard{hint}", cancellationToken);
                return null;
            }
        }

        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, target.Port), timeout.Token);
                logger.Allowed(sessionId, request.Method, target.Host, target.Port, address);
                return socket;
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                if (timeout.IsCancellationRequested)
                {
                    break;
                }
            }
        }

        var status = timeout.IsCancellationRequested ? 504 : 502;
        await FailAsync(client, request, status, $"could not connect to {target.Host}:{target.Port}", cancellationToken);
        return null;
    }

    private async Task RefuseAsync(Stream client, Request request, string reason, CancellationToken cancellationToken)
    {
        logger.Refused(sessionId, request.Method, request.Target.Host, request.Target.Port, reason);
        await WriteQuietlyAsync(client, ProxyResponses.Error(403, reason), cancellationToken);
    }

    private async Task FailAsync(Stream client, Request request, int status, string reason, CancellationToken cancellationToken)
    {
        logger.UpstreamFailed(sessionId, request.Method, request.Target.Host, request.Target.Port, reason);
        await WriteQuietlyAsync(client, ProxyResponses.Error(status, reason), cancellationToken);
    }

    private async Task RejectAsync(Stream client, int status, string reason, CancellationToken cancellationToken)
    {
        logger.BadRequest(sessionId, status, reason);
        await WriteQuietlyAsync(client, ProxyResponses.Error(status, reason), cancellationToken);
    }

    private static async Task WriteQuietlyAsync(Stream client, byte[] response, CancellationToken cancellationToken)
    {
        try
        {
            await client.WriteAsync(response, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
        {
            // The client went away; nothing to tell it.
        }
    }
}
