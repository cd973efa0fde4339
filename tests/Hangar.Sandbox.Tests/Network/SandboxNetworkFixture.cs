using System.Text.Json.Nodes;
using Hangar.Sandbox.Bubblewrap;
using Hangar.Sandbox.Network;
using Hangar.Tools;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hangar.Sandbox.Tests.Network;

/// <summary>
/// Real bubblewrap sandboxes wired to real egress proxies, with two loopback Kestrel servers standing in
/// for internet hosts (allowed.test and blocked.test resolve to 127.0.0.1 through the proxy's test
/// resolver). Two providers: one whose proxy allows private destinations (an allowlist of every private range and loopback,
/// loopback standing in for the internet) and one with the operator default (private egress refused), both
/// with <c>unrestricted</c> through the proxy (the default); a third opts into slirp4netns for <c>unrestricted</c>.
/// Two HTTPS servers stand in for APIs: <see cref="Secure"/> (secure.test and other.test, certificate from
/// <see cref="UpstreamCa"/>, which the private-egress proxy trusts as an extra root) and <see cref="Untrusted"/>
/// (untrusted.test, certificate from a CA nobody trusts).
/// </summary>
public sealed class SandboxNetworkFixture : IAsyncLifetime
{
    private readonly string root = Path.Join("/tmp", "hangar-sbx-net-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<IAsyncDisposable> owned = [];

    public LoopbackHttpServer Allowed { get; private set; } = null!;

    public LoopbackHttpServer Blocked { get; private set; } = null!;

    public TestCertificateAuthority UpstreamCa { get; } = new("Hangar test upstream CA");

    private readonly TestCertificateAuthority unknownCa = new("Hangar test unknown CA");

    public LoopbackHttpsServer Secure { get; private set; } = null!;

    public LoopbackHttpsServer Untrusted { get; private set; } = null!;

    /// <summary>Proxy allows private (loopback) destinations.</summary>
    public BubblewrapSandboxProvider PrivateEgress { get; private set; } = null!;

    /// <summary>Proxy refuses private destinations (the default).</summary>
    public BubblewrapSandboxProvider PublicOnly { get; private set; } = null!;

    /// <summary><c>HANGAR_UNRESTRICTED_NETWORK=usermode</c>: unrestricted sandboxes get slirp4netns.</summary>
    public BubblewrapSandboxProvider UserMode { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Allowed = await LoopbackHttpServer.StartAsync("allowed");
        Blocked = await LoopbackHttpServer.StartAsync("blocked");
        Secure = await LoopbackHttpsServer.StartAsync(UpstreamCa.Issue("secure.test", "other.test"));
        Untrusted = await LoopbackHttpsServer.StartAsync(unknownCa.Issue("untrusted.test"));
        PrivateEgress = await CreateProviderAsync("private", allowPrivate: true);
        PublicOnly = await CreateProviderAsync("public", allowPrivate: false);
        UserMode = await CreateProviderAsync("usermode", allowPrivate: true, UnrestrictedNetwork.UserMode);
    }

    private async Task<BubblewrapSandboxProvider> CreateProviderAsync(
        string name, bool allowPrivate, UnrestrictedNetwork unrestricted = UnrestrictedNetwork.Proxy)
    {
        var data = Path.Join(root, name);
        Directory.CreateDirectory(data);
        var proxy = new EgressProxy(new EgressProxyOptions
        {
            SocketDirectory = Path.Join(data, "egress"),
            AllowPrivateEgress = allowPrivate,
            Resolver = EgressProxyFixture.Resolve,
            UpstreamTrustedRoots = [UpstreamCa.Certificate],
        });
        var provider = await BubblewrapSandboxProvider.CreateAsync(
            new SandboxOptions { DataDirectory = data, Limits = SandboxFixture.TestLimits, UnrestrictedNetwork = unrestricted }, NullLogger.Instance, proxy, CancellationToken.None);
        owned.Add(provider);
        owned.Add(proxy);
        return provider;
    }

    /// <summary>A fresh session's sandbox with <c>config.networking</c> = <paramref name="networking"/> (and these credentials).</summary>
    public static Task<ISandbox> AcquireAsync(BubblewrapSandboxProvider provider, JsonObject networking, params SandboxSecret[] secrets) =>
        provider.AcquireAsync(
            new SandboxRequest("wrk_test", SandboxFixture.NewSessionId(), new JsonObject { ["type"] = "cloud", ["networking"] = networking })
            {
                Secrets = secrets,
            },
            CancellationToken.None);

    public static JsonObject Limited(params string[] hosts) => new()
    {
        ["type"] = "limited",
        ["allowed_hosts"] = new JsonArray([.. hosts.Select(h => (JsonNode)JsonValue.Create(h))]),
    };

    public static JsonObject Unrestricted() => new() { ["type"] = "unrestricted" };

    public async Task DisposeAsync()
    {
        foreach (var item in owned)
            await item.DisposeAsync();
        await Allowed.DisposeAsync();
        await Blocked.DisposeAsync();
        await Secure.DisposeAsync();
        await Untrusted.DisposeAsync();
        UpstreamCa.Dispose();
        unknownCa.Dispose();
        Directory.Delete(root, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class SandboxNetworkCollection : ICollectionFixture<SandboxNetworkFixture>
{
    public const string Name = "sandbox-network";
}
