using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Hangar.Sandbox.Tests.Network;

/// <summary>Talks to a proxy over its unix socket, the way the sandbox's relay does.</summary>
public static class ProxyClient
{
    /// <summary>An HttpClient whose proxy is the unix socket (SocketsHttpHandler sends absolute-form requests).</summary>
    public static HttpClient Http(string socketPath)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = true,
            Proxy = new WebProxy("http://sandbox-proxy.invalid:3128"),
            ConnectCallback = async (_, ct) => await OpenAsync(socketPath, ct),
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(20) };
    }

    public static async Task<NetworkStream> OpenAsync(string socketPath, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
        return new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>Sends a raw request head and returns the proxy's response head (status line first).</summary>
    public static async Task<string> SendHeadAsync(Stream stream, string head, CancellationToken ct)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), ct);
        var received = new List<byte>();
        var one = new byte[1];
        while (!EndsWithBlankLine(received))
        {
            if (await stream.ReadAsync(one, ct) == 0)
            {
                break;
            }

            received.Add(one[0]);
        }

        return Encoding.ASCII.GetString([.. received]);
    }

    /// <summary>Everything the proxy sends until it closes the connection.</summary>
    public static async Task<string> ReadToEndAsync(Stream stream, CancellationToken ct)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, leaveOpen: true);
        return await reader.ReadToEndAsync(ct);
    }

    private static bool EndsWithBlankLine(List<byte> bytes) =>
        bytes.Count >= 4 && bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n';
}
