using System.Net;
using System.Security.Cryptography.X509Certificates;
using Hangar.Sandbox.Network;

namespace Hangar.Sandbox.Tests.Network;

/// <summary>The per-instance CA of an intercepting proxy: what it hands out and what a client can verify.</summary>
public sealed class SandboxCertificateAuthorityTests
{
    private static EgressTarget Target(string host) => EgressTarget.TryCreate(host, 443, out var target) ? target! : throw new ArgumentException(host);

    [Fact]
    public void A_leaf_names_its_host_chains_to_the_CA_and_is_minted_once_per_host()
    {
        using var authority = new SandboxCertificateAuthority("sesn_ca_test");
        using var root = X509Certificate2.CreateFromPem(authority.CertificatePem);

        var first = authority.For(Target("API.Example.com"));
        var again = authority.For(Target("api.example.com"));
        var other = authority.For(Target("other.example.com"));

        Assert.Same(first, again);
        Assert.NotSame(first, other);
        var leaf = first.TargetCertificate;
        Assert.True(leaf.MatchesHostname("api.example.com"));
        Assert.False(leaf.MatchesHostname("other.example.com"));
        Assert.True(leaf.NotAfter - DateTime.Now <= TimeSpan.FromDays(1));
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(leaf), string.Join(", ", chain.ChainStatus.Select(s => s.StatusInformation)));
    }

    [Fact]
    public void An_IP_literal_gets_an_IP_address_name()
    {
        using var authority = new SandboxCertificateAuthority("sesn_ca_test");

        var leaf = authority.For(Target("127.0.0.1")).TargetCertificate;

        var names = leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal([IPAddress.Loopback], names.EnumerateIPAddresses());
        Assert.Empty(names.EnumerateDnsNames());
    }

    [Fact]
    public void Only_the_certificate_is_handed_out_never_a_key()
    {
        using var authority = new SandboxCertificateAuthority("sesn_ca_test");

        var pem = authority.CertificatePem;

        Assert.StartsWith("-----BEGIN CERTIFICATE-----", pem);
        Assert.DoesNotContain("PRIVATE KEY", pem);
        using var certificate = X509Certificate2.CreateFromPem(pem);
        Assert.False(certificate.HasPrivateKey);
        Assert.Contains(certificate.Extensions.OfType<X509BasicConstraintsExtension>(), c => c.CertificateAuthority);
    }
}
