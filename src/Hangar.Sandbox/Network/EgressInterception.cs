using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Hangar.Tools;

namespace Hangar.Sandbox.Network;

/// <summary>
/// An HTTPS request to a host a credential names, decrypted so its placeholder can be swapped exactly as in plain
/// HTTP (<see cref="EgressSwap"/>). One request per connection: the proxy sends <c>Connection: close</c> upstream and
/// rewrites the response to say <c>Connection: close</c> to the client, so a keep-alive client opens a fresh tunnel
/// (and gets a fresh swap) for its next request. The alternative, swapping each request on a kept-alive connection,
/// would need the proxy to frame every request body exactly as the upstream does (chunked, Expect, pipelining); any
/// disagreement would let bytes the proxy took for a body reach the upstream as an unswapped, unpinned request.
/// The cost is a TLS handshake per request on both legs (measured in the tests' output).
/// </summary>
internal static class EgressInterception
{
    private const int MaxResponseHeadBytes = 64 * 1024;
    private static readonly byte[] EndOfHead = "\r\n\r\n"u8.ToArray();

    /// <summary>Reads the decrypted request, forwards it swapped, relays the response; returns bytes up and down.</summary>
    public static async Task<(long Up, long Down)> RunAsync(Stream client, Stream upstream, EgressTarget target,
        IReadOnlyList<SandboxSecret> swaps, EgressProxyOptions options, CancellationToken ct)
    {
        ProxyRequestHead.ReadResult read;
        using (var headTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            headTimeout.CancelAfter(options.HeaderTimeout);
            read = await ProxyRequestHead.ReadAsync(client, options.MaxHeaderBytes, headTimeout.Token);
        }

        if (read.Head is not { } head)
        {
            if (read.ErrorStatus != 0)
            {
                await client.WriteAsync(ProxyResponses.Error(read.ErrorStatus, read.Error!), ct);
            }

            return (0, 0);
        }

        if (OriginPath(head.Target, target) is not { } path)
        {
            await client.WriteAsync(ProxyResponses.Error(400, $"inside a tunnel to {target.Host} send an origin-form request (GET /path)"), ct);
            return (0, 0);
        }

        // Host is the CONNECT authority that the policy and the credential's hosts were checked against.
        var hostHeader = target.Literal is { AddressFamily: AddressFamily.InterNetworkV6 } ? $"[{target.Host}]" : target.Host;
        if (target.Port != 443)
        {
            hostHeader += ":" + target.Port.ToString(CultureInfo.InvariantCulture);
        }

        var leftover = await EgressSwap.WriteAsync(client, upstream, head, path, hostHeader, read.Leftover, swaps, ct);
        if (!leftover.IsEmpty)
        {
            await upstream.WriteAsync(leftover, ct);
        }

        // Client EOF needs no signal upstream: the request was framed and Connection: close already ends the exchange.
        var (up, down) = await new ByteRelay(options.IdleTimeout).RunAsync(client, upstream, onClientEof: null,
            firstDown: token => RelayResponseHeadAsync(upstream, client, token), ct);
        return (up + leftover.Length, down);
    }

    /// <summary>The path for an origin-form target, or an absolute-form one naming the tunnel's own host.</summary>
    private static string? OriginPath(string requestTarget, EgressTarget target)
    {
        if (requestTarget.StartsWith('/'))
        {
            return requestTarget;
        }

        const string scheme = "https://";
        if (!requestTarget.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var rest = requestTarget[scheme.Length..];
        var end = rest.IndexOfAny(['/', '?']);
        var authority = end < 0 ? rest : rest[..end];
        return EgressTarget.TryParseAuthority(authority, defaultPort: 443, out var named) && named == target
            ? (end < 0 ? "/" : rest[end..].StartsWith('?') ? "/" + rest[end..] : rest[end..])
            : null;
    }

    /// <summary>
    /// Relays interim (1xx) responses as they are and the final response head with <c>Connection: close</c>, so
    /// the client does not reuse a connection whose next request the proxy would not see. Returns bytes written.
    /// </summary>
    private static async Task<long> RelayResponseHeadAsync(Stream upstream, Stream client, CancellationToken ct)
    {
        var buffer = new byte[MaxResponseHeadBytes];
        var filled = 0;
        long written = 0;
        while (true)
        {
            var end = buffer.AsSpan(0, filled).IndexOf(EndOfHead);
            if (end < 0)
            {
                if (filled == buffer.Length)
                {
                    // Too large to rewrite: pass it on; the upstream closes after it anyway.
                    await client.WriteAsync(buffer.AsMemory(0, filled), ct);
                    return written + filled;
                }

                var read = await upstream.ReadAsync(buffer.AsMemory(filled), ct);
                if (read == 0)
                {
                    await client.WriteAsync(buffer.AsMemory(0, filled), ct);
                    return written + filled;
                }

                filled += read;
                continue;
            }

            var head = Encoding.Latin1.GetString(buffer, 0, end);
            var lines = head.Split("\r\n");
            var status = lines[0].Split(' ', 3) is [_, var code, ..] ? code : "";
            var interim = status.Length == 3 && status[0] == '1' && status != "101";
            ReadOnlyMemory<byte> rewritten = interim ? buffer.AsMemory(0, end + EndOfHead.Length) : CloseHead(lines);
            await client.WriteAsync(rewritten, ct);
            written += rewritten.Length;
            var rest = filled - end - EndOfHead.Length;
            Buffer.BlockCopy(buffer, end + EndOfHead.Length, buffer, 0, rest);
            filled = rest;
            if (!interim)
            {
                await client.WriteAsync(buffer.AsMemory(0, filled), ct);
                return written + filled;
            }
        }
    }

    private static byte[] CloseHead(string[] lines)
    {
        var builder = new StringBuilder(lines[0]).Append("\r\n");
        foreach (var line in lines.Skip(1))
        {
            var name = line.Split(':', 2)[0].Trim();
            if (!name.Equals("Connection", StringComparison.OrdinalIgnoreCase) && !name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase))
            {
                builder.Append(line).Append("\r\n");
            }
        }

        builder.Append("Connection: close\r\n\r\n");
        return Encoding.Latin1.GetBytes(builder.ToString());
    }
}
