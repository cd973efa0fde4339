using System.Net;
using System.Net.Sockets;

namespace Hangar.Tools.Network;

/// <summary>A connection the SSRF guard refused; the message says which address and why.</summary>
public sealed class EgressRefusedException(string message) : IOException(message);

/// <summary>
/// An <see cref="HttpMessageHandler"/> for host-side requests to user-supplied URLs (MCP servers):
/// redirects are not followed, and every connection resolves the host once and is refused if ANY answer is a
/// forbidden address per <see cref="EgressAddressGuard"/>, then connects to exactly the checked
/// addresses, so DNS rebinding can't slip a private address in. No environment proxy is used
/// (it would connect on our behalf, unchecked).
/// </summary>
public static class GuardedHttpHandler
{
    public static SocketsHttpHandler Create(PrivateEgressAllowlist allowPrivate, TimeSpan connectTimeout) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        ConnectTimeout = connectTimeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectCallback = (context, ct) => ConnectAsync(context.DnsEndPoint, allowPrivate, ct),
    };

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, PrivateEgressAllowlist allowPrivate, CancellationToken ct)
    {
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, ct);
        if (addresses.Length == 0)
        {
            throw new EgressRefusedException($"{endpoint.Host} does not resolve to any address.");
        }
        foreach (var address in addresses)
        {
            if (EgressAddressGuard.Check(address, allowPrivate, literal is null ? endpoint.Host : null) is { } category)
            {
                var hint = EgressAddressGuard.Hint(address, allowPrivate);
                throw new EgressRefusedException($"Refused to connect to {endpoint.Host}: {address} is {category}{hint}.");
            }
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endpoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
