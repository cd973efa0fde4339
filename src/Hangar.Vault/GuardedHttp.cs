using System.Net;
using System.Net.Sockets;
using Hangar.Sandbox.Network;

namespace Hangar.Vault;

/// <summary>
/// An HttpClient for host-side requests to user-supplied URLs (OAuth token endpoints): every
/// connection goes through <see cref="EgressAddressGuard"/> on the address actually dialled (so DNS
/// rebinding can't slip past a check made earlier), no proxy, no redirects.
/// </summary>
public static class GuardedHttp
{
    public const string AllowPrivateVariable = "HANGAR_ALLOW_PRIVATE_EGRESS";

    /// <summary><c>HANGAR_ALLOW_PRIVATE_EGRESS</c> (true/1), the same switch as the sandbox egress proxy's.</summary>
    public static bool AllowPrivateFromEnvironment() =>
        Environment.GetEnvironmentVariable(AllowPrivateVariable)?.Trim().ToLowerInvariant() is "true" or "1";

    public static HttpClient Create(bool allowPrivate, TimeSpan timeout)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            ConnectCallback = (context, ct) => ConnectAsync(context.DnsEndPoint, allowPrivate, ct),
        };
        return new HttpClient(handler) { Timeout = timeout };
    }

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, bool allowPrivate, CancellationToken ct)
    {
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, ct);
        string? refusal = null;
        foreach (var address in addresses)
        {
            if (EgressAddressGuard.Check(address, allowPrivate) is { } why)
            {
                refusal ??= why;
                continue;
            }
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException)
            {
                socket.Dispose();
            }
        }
        var hint = allowPrivate ? "" : $" (private destinations need {AllowPrivateVariable}=true on the server)";
        throw new HttpRequestException(refusal is null
            ? $"could not connect to {endpoint.Host}:{endpoint.Port}"
            : $"{endpoint.Host} resolves to {refusal}, which Hangar does not connect to{hint}");
    }
}
