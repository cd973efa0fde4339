using System.Net.Sockets;

namespace Hangar.Sandbox.Network;

/// <summary>
/// Splices bytes both ways. Client EOF half-closes the upstream (the request is complete, the response
/// may still come); upstream EOF or any error ends the whole connection; no traffic in either direction
/// for the idle timeout ends it too.
/// </summary>
internal sealed class ByteRelay(TimeSpan idleTimeout)
{
    private const int BufferSize = 64 * 1024;

    public Task<(long Up, long Down)> RunAsync(Stream client, Stream upstream, Socket upstreamSocket, CancellationToken cancellationToken) =>
        RunAsync(client, upstream, () => ShutdownQuietly(upstreamSocket), firstDown: null, cancellationToken);

    /// <summary>
    /// As above with a custom client-EOF action, and <paramref name="firstDown"/> (bytes it wrote) run before the
    /// downstream copy, under the same idle timeout (an intercepted response's head rewrite).
    /// </summary>
    public async Task<(long Up, long Down)> RunAsync(Stream client, Stream upstream, Action? onClientEof,
        Func<CancellationToken, Task<long>>? firstDown, CancellationToken cancellationToken)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(idleTimeout);
        var up = PumpAsync(client, upstream, idle, onEof: onClientEof);
        var down = PumpAsync(upstream, client, idle, onEof: null, firstDown);
        var downBytes = await down;
        await idle.CancelAsync();
        var upBytes = await up;
        return (upBytes, downBytes);
    }

    private async Task<long> PumpAsync(Stream from, Stream to, CancellationTokenSource idle, Action? onEof,
        Func<CancellationToken, Task<long>>? first = null)
    {
        var buffer = new byte[BufferSize];
        long total = 0;
        try
        {
            if (first is not null)
            {
                total += await first(idle.Token);
            }

            while (true)
            {
                var read = await from.ReadAsync(buffer, idle.Token);
                if (read == 0)
                {
                    onEof?.Invoke();
                    return total;
                }

                await to.WriteAsync(buffer.AsMemory(0, read), idle.Token);
                total += read;
                idle.CancelAfter(idleTimeout); // activity in either direction keeps the connection alive
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            return total;
        }
    }

    private static void ShutdownQuietly(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // Already closed by the peer.
        }
    }
}
