using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Hangar.Chaos;

/// <summary>
/// A TCP relay between one worker slot and PostgreSQL, so the run can cut that worker off the
/// database without root: <see cref="Partition"/> stops moving bytes both ways (connections stay
/// open, new ones are accepted but not connected upstream: packets are lost, not refused) until
/// <see cref="Heal"/>, when everything held back flows on, as after a real partition that TCP
/// outlived. Late writes from before the partition then reach the database: the fence must stop them.
/// </summary>
public sealed class DbProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<int, (TcpClient Client, TcpClient? Upstream)> _links = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource _open = Opened();
    private int _next;
    private Task _accepting = Task.CompletedTask;

    public DbProxy(string host, int port)
    {
        _target = new IPEndPoint(IPAddress.Parse(host), port);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public bool Partitioned
    {
        get
        {
            lock (_gate)
            {
                return !_open.Task.IsCompleted;
            }
        }
    }

    public void Start()
    {
        _listener.Start();
        _accepting = AcceptAsync(_stop.Token);
    }

    /// <summary>From now on no byte moves in either direction, and new connections hang.</summary>
    public void Partition()
    {
        lock (_gate)
        {
            if (_open.Task.IsCompleted)
            {
                _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>Bytes flow again, those held back first.</summary>
    public void Heal()
    {
        lock (_gate)
        {
            _open.TrySetResult();
        }
    }

    private Task Open
    {
        get
        {
            lock (_gate)
            {
                return _open.Task;
            }
        }
    }

    private async Task AcceptAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(ct);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = RelayAsync(client, ct);
        }
    }

    private async Task RelayAsync(TcpClient client, CancellationToken ct)
    {
        var id = Interlocked.Increment(ref _next);
        _links[id] = (client, null);
        TcpClient? upstream = null;
        try
        {
            client.NoDelay = true;
            await Open.WaitAsync(ct);
            upstream = new TcpClient { NoDelay = true };
            _links[id] = (client, upstream);
            await upstream.ConnectAsync(_target, ct);
            using var ended = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var up = PumpAsync(client.GetStream(), upstream.GetStream(), ended.Token);
            var down = PumpAsync(upstream.GetStream(), client.GetStream(), ended.Token);
            await Task.WhenAny(up, down);
            await ended.CancelAsync();
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
        }
        finally
        {
            _links.TryRemove(id, out _);
            client.Dispose();
            upstream?.Dispose();
        }
    }

    /// <summary>Copies until either side ends; while partitioned, holds what it read and reads no more.</summary>
    private async Task PumpAsync(NetworkStream from, NetworkStream to, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                await Open.WaitAsync(ct);
                var read = await from.ReadAsync(buffer, ct);
                if (read == 0)
                {
                    return;
                }
                await Open.WaitAsync(ct);
                await to.WriteAsync(buffer.AsMemory(0, read), ct);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var (client, upstream) in _links.Values)
        {
            client.Dispose();
            upstream?.Dispose();
        }
        await _accepting;
        _stop.Dispose();
    }

    private static TaskCompletionSource Opened()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }
}
