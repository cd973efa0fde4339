namespace Hangar.Sandbox.Tests.Network;

/// <summary>Resource limits and lifecycle of the per-sandbox listener.</summary>
public sealed class EgressProxyLimitsTests(EgressProxyFixture fx) : IClassFixture<EgressProxyFixture>
{
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;

    [Fact]
    public async Task Oversized_request_head_gets_431()
    {
        var (_, _, socket) = await fx.StartAsync(EgressProxyFixture.Limited("allowed.test"));
        await using var stream = await ProxyClient.OpenAsync(socket, Timeout);

        var head = await ProxyClient.SendHeadAsync(stream,
            $"GET http://allowed.test/ HTTP/1.1\r\nX-Big: {new string('a', 17 * 1024)}\r\n\r\n", Timeout);

        Assert.StartsWith("HTTP/1.1 431", head);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: allowed.test\r\n\r\n", "absolute http:// URL")]
    [InlineData("GET https://allowed.test/ HTTP/1.1\r\n\r\n", "use CONNECT")]
    [InlineData("CONNECT allowed.test HTTP/1.1\r\n\r\n", "host:port")]
    [InlineData("GET http://user@allowed.test/ HTTP/1.1\r\n\r\n", "invalid destination")]
    public async Task Malformed_proxy_requests_get_400(string request, string explanation)
    {
        var (_, _, socket) = await fx.StartAsync(EgressProxyFixture.Limited("allowed.test"));
        await using var stream = await ProxyClient.OpenAsync(socket, Timeout);

        var head = await ProxyClient.SendHeadAsync(stream, request, Timeout);
        var body = await ProxyClient.ReadToEndAsync(stream, Timeout);

        Assert.StartsWith("HTTP/1.1 400", head);
        Assert.Contains(explanation, body);
    }

    [Fact]
    public async Task Connections_beyond_the_cap_get_503_and_a_freed_slot_is_reusable()
    {
        var (_, _, socket) = await fx.StartAsync(
            EgressProxyFixture.Limited($"allowed.test:{fx.Echo.Port}"), configure: o => o with { MaxConnectionsPerSandbox = 2 });
        var connect = $"CONNECT allowed.test:{fx.Echo.Port} HTTP/1.1\r\n\r\n";
        var first = await ProxyClient.OpenAsync(socket, Timeout);
        await using var second = await ProxyClient.OpenAsync(socket, Timeout);
        Assert.StartsWith("HTTP/1.1 200", await ProxyClient.SendHeadAsync(first, connect, Timeout));
        Assert.StartsWith("HTTP/1.1 200", await ProxyClient.SendHeadAsync(second, connect, Timeout));

        await using (var third = await ProxyClient.OpenAsync(socket, Timeout))
        {
            var head = await ProxyClient.SendHeadAsync(third, connect, Timeout);
            Assert.StartsWith("HTTP/1.1 503", head);
            Assert.Contains("limit 2", await ProxyClient.ReadToEndAsync(third, Timeout));
        }

        await first.DisposeAsync();
        var reopened = await PollAsync(async () =>
        {
            await using var again = await ProxyClient.OpenAsync(socket, Timeout);
            return (await ProxyClient.SendHeadAsync(again, connect, Timeout)).StartsWith("HTTP/1.1 200", StringComparison.Ordinal);
        });
        Assert.True(reopened);
    }

    [Fact]
    public async Task Idle_tunnel_is_closed_after_the_idle_timeout()
    {
        var (_, _, socket) = await fx.StartAsync(
            EgressProxyFixture.Limited($"allowed.test:{fx.Echo.Port}"), configure: o => o with { IdleTimeout = TimeSpan.FromMilliseconds(300) });
        await using var stream = await ProxyClient.OpenAsync(socket, Timeout);
        Assert.StartsWith("HTTP/1.1 200", await ProxyClient.SendHeadAsync(stream, $"CONNECT allowed.test:{fx.Echo.Port} HTTP/1.1\r\n\r\n", Timeout));

        var read = await stream.ReadAsync(new byte[16], Timeout); // nothing is sent: the proxy must hang up

        Assert.Equal(0, read);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Socket_is_owner_only_in_a_traversable_directory_and_stop_removes_it()
    {
        var (proxy, sessionId, socket) = await fx.StartAsync(EgressProxyFixture.Limited("allowed.test"));

        // 0600: only its owner (the sandbox's uid when one is granted; see SocketGrantTests) and root connect.
        Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(socket) & (UnixFileMode)0b111_111_111);
        Assert.Equal((UnixFileMode)0b111_001_001, File.GetUnixFileMode(fx.SocketDirectory));
        var again = await proxy.StartAsync(sessionId, EgressProxyFixture.Limited("allowed.test"), Timeout);
        Assert.Equal(socket, again.UnixSocketPath);

        await proxy.StopAsync(sessionId, Timeout);

        Assert.False(File.Exists(socket));
    }

    private static async Task<bool> PollAsync(Func<Task<bool>> probe)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (await probe())
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }
}
