using System.Globalization;
using Hangar.Tools;

namespace Hangar.Sandbox.Network;

/// <summary>
/// Sends one plain-HTTP request upstream with credential placeholders swapped for their values
/// (<see cref="EgressSecrets"/>): headers as the credentials allow, and a <c>Content-Length</c> body of at
/// most <see cref="EgressSecrets.MaxBodyBytes"/> read whole, swapped and sent with its new length.
/// </summary>
internal static class EgressSwap
{
    /// <summary>Writes the head (and the body when it was swapped); returns what is left to relay as is.</summary>
    public static async Task<ReadOnlyMemory<byte>> WriteAsync(Stream client, Stream upstream, ProxyRequestHead head, string path,
        string hostHeader, ReadOnlyMemory<byte> leftover, IReadOnlyList<SandboxSecret> swaps, CancellationToken ct)
    {
        var lines = EgressSecrets.SwapHeaders(head.HeaderLines, swaps);
        var length = ContentLength(head.HeaderLines);
        var swapBody = swaps.Any(s => s.InBody) && length is { } n && n <= EgressSecrets.MaxBodyBytes
            && !head.HeaderLines.Any(l => Name(l).Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase));
        if (!swapBody)
        {
            await upstream.WriteAsync((head with { HeaderLines = lines }).ToOriginForm(path, hostHeader), ct);
            return leftover;
        }
        var body = new byte[length!.Value];
        var have = Math.Min(leftover.Length, body.Length);
        leftover[..have].CopyTo(body);
        await client.ReadExactlyAsync(body.AsMemory(have), ct);
        body = EgressSecrets.SwapBody(body, swaps);
        lines = [.. lines.Where(l => !Name(l).Equals("Content-Length", StringComparison.OrdinalIgnoreCase)),
            "Content-Length: " + body.Length.ToString(CultureInfo.InvariantCulture)];
        await upstream.WriteAsync((head with { HeaderLines = lines }).ToOriginForm(path, hostHeader), ct);
        await upstream.WriteAsync(body, ct);
        return leftover[have..];
    }

    private static long? ContentLength(IReadOnlyList<string> lines)
    {
        var values = lines.Where(l => Name(l).Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).ToList();
        return values.Count == 1 && long.TryParse(values[0].Split(':', 2)[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    private static string Name(string line) => line.Split(':', 2)[0].Trim();
}
