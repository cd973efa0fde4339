using System.Diagnostics;
using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Hangar.Sandbox.Network;
using Hangar.Tools;
using Xunit.Abstractions;

namespace Hangar.Sandbox.Tests.Network;

/// <summary>
/// Which requests get a credential's value in place of its placeholder, and where in them; then HTTPS end to end:
/// curl in a real sandbox, the proxy terminating TLS for the credential's host only, real HTTPS upstreams on loopback.
/// </summary>
[Collection(SandboxNetworkCollection.Name)]
public sealed class EgressSecretsTests(SandboxNetworkFixture fx, ITestOutputHelper output)
{
    private static readonly SandboxSecret Limited = new("STRIPE_KEY", "ph_stripe_0123456789", "sk_live_value", ["api.stripe.com", "10.0.0.5"], true, false);
    private static readonly SandboxSecret Anywhere = new("TOKEN", "ph_token_0123456789", "token-value", null, false, true);

    private static EgressTarget Target(string host) =>
        EgressTarget.TryCreate(host, 80, out var target) ? target! : throw new ArgumentException(host);

    [Theory]
    [InlineData("api.stripe.com", true)]
    [InlineData("eu.api.stripe.com", true)]
    [InlineData("API.Stripe.com.", true)]
    [InlineData("api.stripe.com.evil.example", false)]
    [InlineData("stripe.com", false)]
    [InlineData("10.0.0.5", true)]
    [InlineData("10.0.0.6", false)]
    public void A_limited_credential_goes_only_to_its_hosts(string host, bool swapped)
    {
        var secrets = new EgressSecrets([Limited, Anywhere]);

        var names = secrets.For(Target(host)).Select(s => s.Name).ToList();

        Assert.Equal(swapped, names.Contains("STRIPE_KEY"));
        Assert.Contains("TOKEN", names); // unrestricted: any host the environment allows
    }

    [Fact]
    public void Headers_and_bodies_are_swapped_only_where_the_credential_allows()
    {
        string[] lines = [$"Authorization: Bearer {Limited.Placeholder}", $"X-Token: {Anywhere.Placeholder}"];
        var body = Encoding.UTF8.GetBytes($"a={Limited.Placeholder}&b={Anywhere.Placeholder}&c={Anywhere.Placeholder}");

        var headers = EgressSecrets.SwapHeaders(lines, [Limited, Anywhere]);
        var swappedBody = Encoding.UTF8.GetString(EgressSecrets.SwapBody(body, [Limited, Anywhere]));

        Assert.Equal(["Authorization: Bearer sk_live_value", $"X-Token: {Anywhere.Placeholder}"], headers);
        Assert.Equal($"a={Limited.Placeholder}&b=token-value&c=token-value", swappedBody);
    }

    [Fact]
    public void A_secret_prints_without_its_value()
    {
        Assert.DoesNotContain("sk_live_value", Limited.ToString());
    }

    private static SandboxSecret Token() =>
        new("API_TOKEN", "hangar_secret_placeholder_" + Guid.NewGuid().ToString("N"), "sk_live_" + Guid.NewGuid().ToString("N"), ["secure.test"], true, true);

    private System.Text.Json.Nodes.JsonObject Networking() =>
        SandboxNetworkFixture.Limited($"secure.test:{fx.Secure.Port}", $"other.test:{fx.Secure.Port}", $"untrusted.test:{fx.Untrusted.Port}");

    private static string Curl(string url, string extra = "") =>
        $"curl -sS -v -m 10 -H \"Authorization: Bearer $API_TOKEN\" {extra} -w ' [http %{{http_code}}]' {url} 2>&1; echo \" rc=$?\"";

    [Fact]
    public async Task Https_to_the_credentials_host_is_terminated_by_the_proxy_and_only_that_host_gets_the_value()
    {
        var secret = Token();
        var sandbox = await SandboxNetworkFixture.AcquireAsync(fx.PrivateEgress, Networking(), secret);
        await sandbox.RunAsync(Tools.Bash($"cat > /workspace/upstream-ca.pem <<'EOF'\n{fx.UpstreamCa.Pem}\nEOF"));

        var (intercepted, _) = await sandbox.RunAsync(Tools.Bash(Curl($"https://secure.test:{fx.Secure.Port}/swap", "--data-binary \"token=$API_TOKEN\"")));
        // No credential names other.test: a blind tunnel, so the client must trust the upstream's own CA.
        var (blind, _) = await sandbox.RunAsync(Tools.Bash(Curl($"https://other.test:{fx.Secure.Port}/blind", "--cacert /workspace/upstream-ca.pem")));

        Assert.Contains($"ok /swap [http 200] rc=0", intercepted);
        Assert.Contains("issuer: CN=Hangar sandbox egress CA", intercepted);
        Assert.Contains("ALPN: server accepted http/1.1", intercepted);
        var swapped = Assert.Single(fx.Secure.Requests, r => r.Path == "/swap");
        Assert.Equal($"Bearer {secret.Value}", swapped.Authorization);
        Assert.Equal($"token={secret.Value}", swapped.Body);
        Assert.Equal($"secure.test:{fx.Secure.Port}", swapped.Host);

        Assert.Contains($"ok /blind [http 200] rc=0", blind);
        Assert.Contains("issuer: CN=Hangar test upstream CA", blind);
        var placeholder = Assert.Single(fx.Secure.Requests, r => r.Path == "/blind");
        Assert.Equal($"Bearer {secret.Placeholder}", placeholder.Authorization);
        Assert.DoesNotContain(secret.Value, intercepted + blind);
    }

    [Fact]
    public async Task Keep_alive_clients_reconnect_for_each_request_and_every_request_is_swapped()
    {
        var secret = Token();
        var sandbox = await SandboxNetworkFixture.AcquireAsync(fx.PrivateEgress, Networking(), secret);

        var (text, _) = await sandbox.RunAsync(Tools.Bash(Curl($"https://secure.test:{fx.Secure.Port}/first https://secure.test:{fx.Secure.Port}/second")));

        Assert.Contains("ok /first", text);
        Assert.Contains("ok /second", text);
        var first = Assert.Single(fx.Secure.Requests, r => r.Path == "/first");
        var second = Assert.Single(fx.Secure.Requests, r => r.Path == "/second");
        Assert.Equal($"Bearer {secret.Value}", first.Authorization);
        Assert.Equal($"Bearer {secret.Value}", second.Authorization);
        // Connection: close both ways: curl opened a second tunnel, so the proxy saw (and swapped) each request head.
        Assert.NotEqual(first.ConnectionId, second.ConnectionId);
        Assert.Contains("Connection: close", text);
    }

    [Fact]
    public async Task An_upstream_with_an_untrusted_certificate_gets_a_502_and_never_the_request()
    {
        var secret = Token() with { AllowedHosts = ["untrusted.test"] };
        var sandbox = await SandboxNetworkFixture.AcquireAsync(fx.PrivateEgress, Networking(), secret);
        var before = fx.Untrusted.Requests.Count;

        var (text, _) = await sandbox.RunAsync(Tools.Bash(Curl($"https://untrusted.test:{fx.Untrusted.Port}/leak")));

        Assert.Contains("CONNECT tunnel failed, response 502", text);
        Assert.Equal(before, fx.Untrusted.Requests.Count);
    }

    [Fact]
    public async Task The_value_is_nowhere_in_the_sandbox_which_trusts_only_the_CA_certificate()
    {
        var secret = Token();
        var sandbox = await SandboxNetworkFixture.AcquireAsync(fx.PrivateEgress, Networking(), secret);
        var plain = await SandboxNetworkFixture.AcquireAsync(fx.PrivateEgress, Networking());
        // The value travels base64-encoded, so only a leak would put it in the sandbox in clear.
        var value = Convert.ToBase64String(Encoding.UTF8.GetBytes(secret.Value));
        var sweep = $"v=$(echo {value} | base64 -d); "
            + "echo ENV=$(cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -c \"$v\"); "
            + "echo FILES=$(grep -rlsF \"$v\" /workspace /tmp /etc /run 2>/dev/null | wc -l); "
            + "echo KEYS=$(grep -c 'PRIVATE KEY' /etc/ssl/certs/ca-certificates.crt); "
            + "echo OURS=$(grep -c 'Hangar sandbox egress proxy' /etc/ssl/certs/ca-certificates.crt); "
            + "echo VARS=$SSL_CERT_FILE,$CURL_CA_BUNDLE,$REQUESTS_CA_BUNDLE,$NODE_EXTRA_CA_CERTS,$GIT_SSL_CAINFO,$PIP_CERT";

        var (inside, _) = await sandbox.RunAsync(Tools.Bash(sweep));
        var (withoutCredentials, _) = await plain.RunAsync(Tools.Bash(sweep));

        const string bundle = "/etc/ssl/certs/ca-certificates.crt";
        Assert.Equal($"ENV=0\nFILES=0\nKEYS=0\nOURS=1\nVARS={string.Join(',', Enumerable.Repeat(bundle, 6))}", inside);
        // No credentials: nothing is intercepted, so nothing new is trusted.
        Assert.Equal("ENV=0\nFILES=0\nKEYS=0\nOURS=0\nVARS=,,,,,", withoutCredentials);
    }

    [Fact]
    public async Task Interception_adds_a_bounded_latency_over_the_blind_tunnel()
    {
        var secret = Token();
        var directory = Path.Join("/tmp", "hgr-tls-" + Guid.NewGuid().ToString("N")[..8]);
        var proxy = new EgressProxy(new EgressProxyOptions
        {
            SocketDirectory = directory,
            AllowPrivateEgress = true,
            Resolver = EgressProxyFixture.Resolve,
            UpstreamTrustedRoots = [fx.UpstreamCa.Certificate],
        });
        var intercepted = new List<double>();
        var blind = new List<double>();
        try
        {
            var endpoint = await proxy.StartAsync("sesn_tls_latency", EgressProxyFixture.Limited($"secure.test:{fx.Secure.Port}", $"other.test:{fx.Secure.Port}"),
                mcpServerHosts: null, clientUid: null, CancellationToken.None, [secret]);
            using var sandboxCa = X509Certificate2.CreateFromPem(endpoint.TrustedCaPem!);
            for (var i = 0; i < 55; i++)
            {
                // Interleaved, the first five of each discarded (JIT, first handshakes).
                var a = await TimedGetAsync(endpoint.UnixSocketPath, "secure.test", sandboxCa, secret);
                var b = await TimedGetAsync(endpoint.UnixSocketPath, "other.test", fx.UpstreamCa.Certificate, secret);
                if (i >= 5)
                {
                    intercepted.Add(a);
                    blind.Add(b);
                }
            }
        }
        finally
        {
            await proxy.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }

        intercepted.Sort();
        blind.Sort();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"HTTPS GET through the proxy, new connection each, p50 of 50: intercepted {intercepted[25]:0.00} ms, blind tunnel {blind[25]:0.00} ms, added {intercepted[25] - blind[25]:0.00} ms"));
        Assert.True(intercepted[25] < blind[25] + 50, "interception should add milliseconds, not tens of them");
    }

    /// <summary>One request the way a sandboxed client makes it: CONNECT, TLS trusting <paramref name="root"/>, GET, read to close.</summary>
    private async Task<double> TimedGetAsync(string socketPath, string host, X509Certificate2 root, SandboxSecret secret)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var watch = Stopwatch.StartNew();
        await using var stream = await ProxyClient.OpenAsync(socketPath, timeout.Token);
        var head = await ProxyClient.SendHeadAsync(stream, $"CONNECT {host}:{fx.Secure.Port} HTTP/1.1\r\nHost: {host}\r\n\r\n", timeout.Token);
        Assert.StartsWith("HTTP/1.1 200", head);
        await using var tls = new SslStream(stream);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = host,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                CustomTrustStore = { root },
                RevocationMode = X509RevocationMode.NoCheck,
            },
        }, timeout.Token);
        await tls.WriteAsync(Encoding.ASCII.GetBytes($"GET /latency HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {secret.Placeholder}\r\nConnection: close\r\n\r\n"), timeout.Token);
        var response = await ProxyClient.ReadToEndAsync(tls, timeout.Token);
        var elapsed = watch.Elapsed.TotalMilliseconds;
        Assert.Contains("ok /latency", response);
        return elapsed;
    }
}
