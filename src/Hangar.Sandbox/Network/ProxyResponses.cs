using System.Text;

namespace Hangar.Sandbox.Network;

/// <summary>The proxy's own responses. Bodies are plain text because the agent reads them in tool output.</summary>
internal static class ProxyResponses
{
    public static readonly byte[] ConnectionEstablished = "HTTP/1.1 200 Connection Established\r\n\r\n"u8.ToArray();

    public static byte[] Error(int status, string message)
    {
        var body = Encoding.UTF8.GetBytes($"Hangar sandbox egress proxy: {message}\n");
        var head = $"HTTP/1.1 {status} {ReasonPhrase(status)}\r\n" +
                   "Content-Type: text/plain; charset=utf-8\r\n" +
                   $"Content-Length: {body.Length}\r\n" +
                   "X-Hangar-Egress: refused\r\n" +
                   "Connection: close\r\n\r\n";
        return [.. Encoding.ASCII.GetBytes(head), .. body];
    }

    private static string ReasonPhrase(int status) => status switch
    {
        400 => "Bad Request",
        403 => "Forbidden",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    };
}
