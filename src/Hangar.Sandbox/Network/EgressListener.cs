using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Hangar.Sandbox.Network;

/// <summary>
/// One sandbox's proxy: a unix socket listener that accepts up to the connection cap at once (more get
/// 503) and hands each connection to an <see cref="EgressConnection"/>. Disposing stops accepting, closes
/// live connections and removes the socket file.
/// </summary>
internal sealed class EgressListener : IAsyncDisposable
{
    private readonly string _sessionId;
    private readonly Socket _socket;
    private readonly EgressConnection _handler;
    private readonly EgressProxyOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _acceptLoop;
    private readonly SandboxCertificateAuthority? _authority;
    private int _active;

    public EgressListener(string sessionId, string socketPath, NetworkPolicy policy, EgressRules rules, EgressProxyOptions options, ILogger logger,
        int? clientUid = null, EgressSecrets? secrets = null)
    {
        _sessionId = sessionId;
        SocketPath = socketPath;
        Policy = policy;
        _options = options;
        _logger = logger;
        _slots = new SemaphoreSlim(options.MaxConnectionsPerSandbox, options.MaxConnectionsPerSandbox);
        // A CA only where there is something to swap: a sandbox without credentials trusts nothing new.
        _authority = secrets is { IsEmpty: false } ? new SandboxCertificateAuthority(sessionId) : null;
        _handler = new EgressConnection(sessionId, rules, options, logger, secrets, _authority);
        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            _socket.Bind(new UnixDomainSocketEndPoint(socketPath));
            // Owner-only, owned by the sandbox's own unprivileged uid: no other local user can connect.
            Bubblewrap.SocketGrant.Restrict(socketPath, clientUid);

            _socket.Listen(512);
        }
        catch
        {
            _socket.Dispose();
            _authority?.Dispose();
            throw;
        }

        _acceptLoop = AcceptLoopAsync(_stopping.Token);
    }

    public string SocketPath { get; }

    /// <summary>The certificate the sandbox must trust for intercepted HTTPS (PEM, public part); null without credentials.</summary>
    public string? TrustedCaPem => _authority?.CertificatePem;

    /// <summary>The policy this listener enforces.</summary>
    public NetworkPolicy Policy { get; }

    /// <summary>Connections currently being served (for tests and diagnostics).</summary>
    public int ActiveConnections => Volatile.Read(ref _active);

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        var running = new List<Task>();
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                break;
            }

            running.RemoveAll(task => task.IsCompleted);
            if (!_slots.Wait(0))
            {
                _logger.CapReached(_sessionId, _options.MaxConnectionsPerSandbox);
                running.Add(RefuseOverCapAsync(client, cancellationToken));
                continue;
            }

            running.Add(ServeAsync(client, cancellationToken));
        }

        await Task.WhenAll(running);
    }

    private async Task ServeAsync(Socket client, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _active);
        try
        {
            await Task.Yield(); // never run a connection on the accept loop
            await _handler.HandleAsync(client, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client or the upstream went away mid-relay; the connection is simply over.
        }
        catch (Exception ex)
        {
            // A bug in one connection must not take down the sandbox's listener.
            _logger.ConnectionCrashed(_sessionId, ex);
        }
        finally
        {
            Interlocked.Decrement(ref _active);
            _slots.Release();
        }
    }

    private async Task RefuseOverCapAsync(Socket client, CancellationToken cancellationToken)
    {
        using (client)
        {
            var message = $"too many concurrent connections from this sandbox (limit {_options.MaxConnectionsPerSandbox})";
            try
            {
                await client.SendAsync(ProxyResponses.Error(503, message), cancellationToken);
                client.Shutdown(SocketShutdown.Send);
                // Drain what the client already sent: closing with unread data resets the connection
                // and the client would lose the 503 it is owed.
                using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                drain.CancelAfter(TimeSpan.FromSeconds(2));
                var sink = new byte[4096];
                while (await client.ReceiveAsync(sink, drain.Token) > 0)
                {
                }
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Client already gone.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync();
        _socket.Dispose();
        await _acceptLoop;
        _stopping.Dispose();
        _slots.Dispose();
        _authority?.Dispose();
        File.Delete(SocketPath);
        _logger.Stopped(_sessionId);
    }
}
