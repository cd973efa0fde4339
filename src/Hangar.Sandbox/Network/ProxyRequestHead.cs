using System.Text;

namespace Hangar.Sandbox.Network;

/// <summary>An HTTP/1.x proxy request head: request line and header lines, as received.</summary>
internal sealed record ProxyRequestHead(string Method, string Target, string Version, IReadOnlyList<string> HeaderLines)
{
    private static readonly byte[] EndOfHead = "\r\n\r\n"u8.ToArray();

    /// <summary>Outcome of reading a head: the head plus bytes that followed it, or an HTTP error status.</summary>
    internal sealed record ReadResult(ProxyRequestHead? Head, ReadOnlyMemory<byte> Leftover, int ErrorStatus, string? Error);

    /// <summary>Reads until the blank line; never buffers more than <paramref name="maxBytes"/>.</summary>
    public static async Task<ReadResult> ReadAsync(Stream stream, int maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[maxBytes];
        var filled = 0;
        while (true)
        {
            var end = buffer.AsSpan(0, filled).IndexOf(EndOfHead);
            if (end >= 0)
            {
                var text = Encoding.Latin1.GetString(buffer, 0, end);
                var leftover = buffer.AsMemory(end + EndOfHead.Length, filled - end - EndOfHead.Length);
                return Parse(text) is { } head
                    ? new ReadResult(head, leftover, 0, null)
                    : new ReadResult(null, default, 400, "malformed request line");
            }

            if (filled == buffer.Length)
            {
                return new ReadResult(null, default, 431, $"request head exceeds {maxBytes} bytes");
            }

            var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0)
            {
                return new ReadResult(null, default, 0, "client closed before sending a request");
            }

            filled += read;
        }
    }

    private static ProxyRequestHead? Parse(string text)
    {
        var lines = text.Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts.Length != 3 || parts[0].Length == 0 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            return null;
        }

        return new ProxyRequestHead(parts[0], parts[1], parts[2], lines[1..]);
    }

    /// <summary>
    /// The head to send upstream for an absolute-form request: origin-form target, hop-by-hop proxy headers
    /// dropped and <c>Connection: close</c> forced, so exactly one request/response crosses this connection.
    /// <c>Host</c> is set to the checked authority: a different Host would let a shared front end (CDN,
    /// virtual hosts) route the request to a site the policy never allowed.
    /// </summary>
    public byte[] ToOriginForm(string pathAndQuery, string hostHeader)
    {
        var builder = new StringBuilder();
        builder.Append(Method).Append(' ').Append(pathAndQuery).Append(' ').Append(Version).Append("\r\n");
        builder.Append("Host: ").Append(hostHeader).Append("\r\n");
        foreach (var line in HeaderLines)
        {
            var name = line.Split(':', 2)[0].Trim();
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Connection", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            builder.Append(line).Append("\r\n");
        }

        builder.Append("Connection: close\r\n\r\n");
        return Encoding.Latin1.GetBytes(builder.ToString());
    }
}
