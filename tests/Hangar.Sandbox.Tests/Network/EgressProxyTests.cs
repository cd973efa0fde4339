using System.Net;
using System.Text;
using Hangar.Sandbox.Network;

namespace Hangar.Sandbox.Tests.Network;

/// <summary>The proxy end to end over its unix socket: what a sandboxed client observes.</summary>
public sealed class EgressProxyTests(EgressProxyFixture fx) : IClassFixture<EgressProxyFixture>
{
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;

    [Fact]
    public async Task Allowed_host_GET_reaches_the_upstream_with_the_checked_Host_header()
    {
        var (_, _, socket) = await fx.StartAsync(EgressProxyFixture.Limited($"allowed.test:{fx.Allowed.Port}"));
        using var http = ProxyClient.Http(socket);

        var response = await http.GetAsync($"http://ALLOWED.test:{fx.Allowed.Port}/", Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("hello from allowed", await response.Content.ReadAsStringAsync(Timeout));
        Assert.Equal($"allowed.test:{fx.Allowed.Port}", fx.Allowed.LastHost);
    }

    [Fact]
    public async Task Allowed_host_POST_body_is_forwarded_content_length_and_chunked()
    {
        var (_, _, socket) = await fx.StartAsync(EgressProxyFixture.Limited($"allowed.test:{fx.Allowed.Port}"));
        using var http = ProxyClient.Http(socket);
        var url = $"http://allowed.test:{fx.Allowed.Port}/echo";

        var sized = await http.PostAsync(url, new StringContent("sized body"), Timeout);
        var chunkedRequest = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent("chunked body") };
        chunkedRequest.Headers.TransferEncodingChunked = true;
        var chunked = await http.SendAsync(chunkedRequest, Timeout);

        Assert.Equal("echo:sized body", await sized.Content.ReadAsStringAsync(Timeout));
        Assert.Equal("echo:chunked body", await chunked.Content.ReadAsStringAsync(Timeout));
    }

    [Fact]
    public async Task CONNECT_to_allowed_host_tunnels_bytes_both_ways()
    {
        var (_, _, socket) = await fx.StartAsync(EgressProxyFixture.Limited($"allowed.test:{fx.Echo.Port}"));
        await using var stream = await ProxyClient.OpenAsync(socket, Timeout);

        var head = await ProxyClient.SendHeadAsync(stream, $"CONNECT allowed.test:{fx.Echo.Port} HTTP/1.1\r\nHost: allowed.test\r\n\r\n", Timeout);
        await stream.WriteAsync("ping through the tunnel"u8.ToArray(), Timeout);
        var echoed = new byte[23];
        await stream.ReadExactlyAsync(echoed, Timeout);

        Assert.StartsWith("HTTP/1.1 200", head);
        Assert.Equal("ping through the tunnel", Encoding.ASCII.GetString(echoed));
    }

    [Fact]
    public async Task Disallowed_host_gets_403_naming_the_host_and_policy_and_upstream_sees_nothing()
    {
        var (_, _, socket) = await fx.StartAsync(EgressProxyFixture.Limited($"allowed.test:{fx.Blocked.Port}"));
        using var http = ProxyClient.Http(socket);
        var before = fx.Blocked.Requests;

        var response = await http.GetAsync($"http://blocked.test:{fx.Blocked.Port}/", Timeout);
        var body = await response.Content.ReadAsStringAsync(Timeout);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("host 'blocked.test'", body);
        Assert.Contains("networking policy (type: limited)", body);
        Assert.Contains("allowed_hosts", body);
        Assert.Equal(before, fx.Blocked.Requests);
    }

    [Fact]
    public async Task Disallowed_host_CONNECT_gets_403()
    {
        var (_, _, socket) = await fx.StartAsync(EgressProxyFixture.Limited("allowed.test"));
        await using var stream = await ProxyClient.OpenAsync(socket, Timeout);

        var head = await ProxyClient.SendHeadAsync(stream, "CONNECT blocked.test:443 HTTP/1.1\r\n\r\n", Timeout);
        var body = await ProxyClient.ReadToEndAsync(stream, Timeout);

        Assert.StartsWith("HTTP/1.1 403", head);
        Assert.Contains("blocked.test", body);
    }

    [Fact]
    public async Task Entry_without_port_opens_only_80_and_443()
    {
        var (_, _, socket) = await fx.StartAsync(EgressProxyFixture.Limited("allowed.test"));
        using var http = ProxyClient.Http(socket);

        var response = await http.GetAsync($"http://allowed.test:{fx.Allowed.Port}/", Timeout);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains($"port {fx.Allowed.Port}", await response.Content.ReadAsStringAsync(Timeout));
    }

    [Fact]
    public async Task Allowlisted_name_resolving_to_loopback_is_refused_without_private_egress()
    {
        // Real DNS: "localhost" is on the allowlist, but the address it resolves to is the host's loopback.
        var (_, _, socket) = await fx.StartAsync(EgressProxyFixture.Limited($"localhost:{fx.Allowed.Port}"), allowPrivate: false);
        using var http = ProxyClient.Http(socket);
        var before = fx.Allowed.Requests;

        var response = await http.GetAsync($"http://localhost:{fx.Allowed.Port}/", Timeout);
        var body = await response.Content.ReadAsStringAsync(Timeout);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("a loopback address", body);
        Assert.Contains("--allow-private-egress", body);
        Assert.Equal(before, fx.Allowed.Requests);
    }

    [Fact]
    public async Task A_name_with_any_private_address_among_its_answers_is_refused()
    {
        var (_, _, socket) = await fx.StartAsync(EgressProxyFixture.Limited("rebind.test"), allowPrivate: false);
        await using var stream = await ProxyClient.OpenAsync(socket, Timeout);

        var head = await ProxyClient.SendHeadAsync(stream, "CONNECT rebind.test:443 HTTP/1.1\r\n\r\n", Timeout);
        var body = await ProxyClient.ReadToEndAsync(stream, Timeout);

        Assert.StartsWith("HTTP/1.1 403", head);
        Assert.Contains("resolves to 127.0.0.1", body);
    }

    [Fact]
    public async Task Unrestricted_policy_still_refuses_private_destinations()
    {
        var (_, _, socket) = await fx.StartAsync(new NetworkPolicy.Unrestricted(), allowPrivate: false);
        using var http = ProxyClient.Http(socket);

        var response = await http.GetAsync($"http://allowed.test:{fx.Allowed.Port}/", Timeout);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("169.254.169.254:80")]
    [InlineData("[fd00:ec2::254]:80")]
    public async Task Cloud_metadata_is_refused_even_when_listed_and_private_egress_is_on(string authority)
    {
        var (_, _, socket) = await fx.StartAsync(EgressProxyFixture.Limited(authority));
        await using var stream = await ProxyClient.OpenAsync(socket, Timeout);

        var head = await ProxyClient.SendHeadAsync(stream, $"CONNECT {authority} HTTP/1.1\r\n\r\n", Timeout);
        var body = await ProxyClient.ReadToEndAsync(stream, Timeout);

        Assert.StartsWith("HTTP/1.1 403", head);
        Assert.Contains("cloud metadata", body);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.1")]
    [InlineData("2130706433")]
    public async Task IP_literal_not_on_the_allowlist_is_refused(string literal)
    {
        var (_, _, socket) = await fx.StartAsync(EgressProxyFixture.Limited($"allowed.test:{fx.Allowed.Port}"));
        var before = fx.Allowed.Requests;

        await using var stream = await ProxyClient.OpenAsync(socket, Timeout);
        var head = await ProxyClient.SendHeadAsync(stream, $"GET http://{literal}:{fx.Allowed.Port}/ HTTP/1.1\r\nHost: allowed.test\r\n\r\n", Timeout);
        var body = await ProxyClient.ReadToEndAsync(stream, Timeout);

        Assert.StartsWith("HTTP/1.1 403", head);
        Assert.Contains("IP address '127.0.0.1'", body);
        Assert.Equal(before, fx.Allowed.Requests);
    }

    [Fact]
    public async Task IP_literal_on_the_allowlist_is_allowed_with_private_egress()
    {
        var (_, _, socket) = await fx.StartAsync(EgressProxyFixture.Limited($"127.0.0.1:{fx.Allowed.Port}"));
        using var http = ProxyClient.Http(socket);

        var response = await http.GetAsync($"http://127.0.0.1:{fx.Allowed.Port}/", Timeout);

        Assert.Equal("hello from allowed", await response.Content.ReadAsStringAsync(Timeout));
    }
}
